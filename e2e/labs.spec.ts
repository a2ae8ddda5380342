// The trace-back loop across two browser contexts and the real server: a phone registers ten residents into a tube,
// seals, boxes and hands it over to a lab; the lab's console receives the box (a second box's missing tube flagged)
// and marks the tube positive; the recall list shows exactly those ten residents with their phones.

import AxeBuilder from "@axe-core/playwright";
import { runCommand } from "../src/server/cli/commands";
import { expect, type Page, test } from "./fixtures";
import { account, logIn, residents, scan } from "./helpers";

async function fillAndSeal(page: Page, tube: string, people: { code: string }[]) {
  await scan(page, tube);
  await expect(page.getByTestId("open-tube")).toHaveText(tube);
  for (const [i, person] of people.entries()) {
    await scan(page, person.code);
    await expect(page.getByTestId("tube-count")).toHaveText(new RegExp(`^${i + 1} / 10$`));
  }
  if (people.length === 10) {
    await page.getByTestId("seal-prompt").getByRole("button").click();
  } else {
    await page.getByTestId("seal").click();
    await page
      .getByRole("alertdialog")
      .getByRole("button", { name: /确认封管|Seal short tube/ })
      .click();
  }
  await expect(page.getByTestId("open-tube")).toHaveCount(0);
}

async function boxAndHandOver(page: Page, box: string, tubes: string[], lab: string) {
  await page.getByTestId("tab-boxes").click();
  const input = page.getByTestId("box-input");
  for (const code of [box, ...tubes]) {
    await input.fill(code);
    await input.press("Enter");
  }
  await expect(page.getByTestId("box-count")).toHaveText(new RegExp(`^${tubes.length}`));
  await page.getByRole("button", { name: /关箱|Close box/ }).click();
  await page.getByRole("button", { name: /交接转运|Hand over/ }).click();
  await page.getByLabel(/转运人员姓名|Courier name/).fill("刘师傅");
  await page.getByLabel(/转运人员手机号|Courier mobile/).fill("13900001111");
  await page.getByLabel(/送往实验室|Destination lab/).fill(lab.toLowerCase());
  await page.getByRole("button", { name: /确认交接|Confirm handover/ }).click();
  await expect(page.getByTestId("handed-boxes")).toContainText(box);
  await page.getByTestId("tab-station").click();
}

/** A scanner gun at the lab bench: fast keystrokes and Enter into whatever has focus. */
async function gunAt(page: Page, testId: string, code: string) {
  await expect(page.getByTestId(testId)).toBeFocused();
  await page.keyboard.type(code, { delay: 5 });
  await page.keyboard.press("Enter");
}

test("a positive pool goes from the phone through the lab's console to its recall list", async ({
  page,
  browser,
  adminStore,
}) => {
  test.setTimeout(120_000);
  const suffix = account().siteCode.slice(-6);
  const lab = `LAB${suffix}`;
  const labUser = { username: `lab-${suffix.toLowerCase()}`, password: "lab-password-1" };
  const ctx = { store: adminStore, dataDir: process.env.E2E_DATA_DIR ?? "", actor: "e2e" };
  await runCommand(["add-lab", lab, "芝罘区疾控PCR实验室"], ctx);
  await runCommand(["add-staff", labUser.username, "检验员", "--lab", lab, "--password", labUser.password], ctx);

  const ten = residents(10, 77);
  const two = residents(12, 78).slice(10);
  const [t1, t2, t3] = [`YT${suffix}01`, `YT${suffix}02`, `YT${suffix}03`];
  const [box1, box2] = [`BOX-${suffix}A`, `BOX-${suffix}B`];
  await logIn(page);
  await fillAndSeal(page, t1, ten);
  await fillAndSeal(page, t2, two.slice(0, 1));
  await fillAndSeal(page, t3, two.slice(1));
  await boxAndHandOver(page, box1, [t1], lab);
  await boxAndHandOver(page, box2, [t2, t3], lab);
  await page.getByRole("button", { name: /立即同步|Sync now/ }).click();
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });

  // The lab's desk, in a browser of its own.
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await desk.goto("/console/");
  await desk.getByLabel(/用户名/).fill(labUser.username);
  await desk.getByLabel(/密码/).fill(labUser.password);
  await desk.getByRole("button", { name: /^登录$/ }).click();
  await expect(desk).toHaveURL(/\/console\/lab\/receive$/);
  await expect(desk.getByTestId("console-who")).toContainText("芝罘区疾控PCR实验室");

  // Box 1: scanned with the gun, its tube scanned, received.
  await gunAt(desk, "box-input", box1);
  await expect(desk.getByTestId(`box-tube-${t1}`)).toContainText("10 / 10");
  await gunAt(desk, "tube-input", t1);
  await desk.getByRole("button", { name: /按已扫试管接收/ }).click();
  await expect(desk.getByTestId("receipt-report")).toContainText("已接收 1 管");

  // Box 2: one of its two tubes is not there — flagged.
  await gunAt(desk, "box-input", box2);
  await gunAt(desk, "tube-input", t2);
  // Receiving with a tube not scanned asks first.
  const asked: string[] = [];
  desk.once("dialog", (dialog) => {
    asked.push(dialog.message());
    void dialog.accept();
  });
  await desk.getByRole("button", { name: /按已扫试管接收/ }).click();
  await expect(desk.getByTestId("receipt-missing")).toContainText(t3);
  expect(asked).toEqual(["还有 1 管没有扫到，将记为缺少。仍然接收此箱？"]);

  // The pooled tube is positive: its recall list appears at once, with the time it took.
  await desk.getByRole("link", { name: "录入结果" }).click();
  // Two scans in a row record nothing: the second replaces the first, and the result is still to be chosen.
  await gunAt(desk, "result-tube", t2);
  await gunAt(desk, "result-tube", t1);
  await expect(desk.getByTestId("result-tube")).toHaveValue(t1);
  await expect(desk.getByTestId("result-outcome")).toHaveCount(0);
  await desk.getByTestId("record-result").click();
  await expect(desk.getByRole("alert")).toHaveText("请先选择结果");
  await desk.getByRole("radio", { name: "阳性" }).check();
  await desk.getByTestId("record-result").click();
  await expect(desk.getByTestId("result-outcome")).toContainText("召回 10 人");
  // The tube's way so far, step by step.
  await expect(desk.getByTestId("tube-timeline")).toContainText("采样");
  await expect(desk.getByTestId("tube-timeline").locator("li")).toHaveCount(5);
  await expect(desk.getByTestId("tube-timeline").locator("li").last()).not.toContainText("—");
  await expect(desk.getByTestId("recall-row")).toHaveCount(10);
  await expect(desk.getByTestId("recall-timing")).toContainText(/服务器 \d+ ms，屏幕显示用时 \d+ ms/);
  const rows = await desk.getByTestId("recall-row").allInnerTexts();
  for (const person of ten) {
    expect(rows.some((row) => row.includes(person.docNumber) && row.includes(person.phone))).toBe(true);
  }
  // The tube that never arrived cannot get a result.
  await gunAt(desk, "result-tube", t3);
  await desk.getByRole("radio", { name: "阴性" }).check();
  await desk.getByTestId("record-result").click();
  await expect(desk.getByTestId("result-outcome")).toContainText("此管还未在本实验室接收");
  // It turns up later: received on its own from its box's page, then its result is taken.
  await desk.getByRole("link", { name: "接收转运箱" }).click();
  await gunAt(desk, "box-input", box2);
  await desk.getByTestId(`box-tube-${t3}`).getByRole("button", { name: "已找到，接收此管" }).click();
  await expect(desk.getByTestId(`box-tube-${t3}`)).toContainText("已接收");
  await desk.getByRole("link", { name: "录入结果" }).click();
  await gunAt(desk, "result-tube", t3);
  await desk.getByRole("radio", { name: "阴性" }).check();
  await desk.getByTestId("record-result").click();
  await expect(desk.getByTestId("result-outcome")).toContainText("已记录");

  // A resident of the pool checks the public status page: only their own sampling, "please contact your community";
  // a wrong name finds nothing.
  const resident = await (await browser.newContext({ viewport: { width: 360, height: 740 } })).newPage();
  await resident.goto("/status");
  const [, name, , docNumber] = (ten[0] as { code: string }).code.split("|");
  await resident.getByLabel("证件号码").fill(docNumber as string);
  await resident.getByLabel("姓名").fill(name as string);
  await resident.getByRole("button", { name: "查询" }).click();
  await expect(resident.getByTestId("status-answer")).toContainText("请联系所在社区");
  await expect(resident.getByTestId("status-answer").locator("li")).toHaveCount(1);
  expect(await resident.getByTestId("status-answer").innerText()).not.toContain(
    (ten[1] as { docNumber: string }).docNumber,
  );
  await resident.getByLabel("姓名").fill("不是本人");
  await resident.getByRole("button", { name: "查询" }).click();
  await expect(resident.getByTestId("status-answer")).toContainText("没有找到记录");
  const axe = await new AxeBuilder({ page: resident }).analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
  expect(await resident.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
  await resident.screenshot({ path: test.info().outputPath("status-page-zh.png") });

  // The recall list screen: the same ten, each to contact; one marked contacted.
  await desk.getByRole("link", { name: "召回名单" }).click();
  await expect(desk.getByTestId("recall-row")).toHaveCount(10);
  await desk.getByTestId("recall-row").first().getByRole("button", { name: "标记已联系" }).click();
  await expect(desk.getByTestId("recall-state").filter({ hasText: "已联系" })).toHaveCount(1);
  await expect(desk.getByTestId("turnaround")).toContainText("今日周转");
  // The phone pulls the site's recall list with its next sync: scanning a recalled resident flags them, and the next
  // tube opens for them alone, linked to the recall.
  const recalled = ten[2] as { code: string; docNumber: string };
  const single = `YT${suffix}09`;
  await expect(async () => {
    await page.getByRole("button", { name: /立即同步|Sync now/ }).click();
    await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0");
    await scan(page, recalled.code);
    await expect(page.getByTestId("problem")).toHaveAttribute("data-code", "recalled_resident", { timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByTestId("problem")).toContainText("复核人员：请单管采样");
  await scan(page, single);
  await expect(page.getByTestId("open-tube")).toHaveText(single);
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 1");
  await page.getByTestId("seal-prompt").getByRole("button").click();
  await boxAndHandOver(page, `BOX-${suffix}S`, [single], lab);
  await page.getByRole("button", { name: /立即同步|Sync now/ }).click();
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });

  // The lab receives the single tube and marks it negative: that resident's recall is resulted.
  await desk.getByRole("link", { name: "接收转运箱" }).click();
  await gunAt(desk, "box-input", `BOX-${suffix}S`);
  await gunAt(desk, "tube-input", single);
  await desk.getByRole("button", { name: /按已扫试管接收/ }).click();
  await expect(desk.getByTestId("receipt-report")).toContainText("已接收 1 管");
  await desk.getByRole("link", { name: "录入结果" }).click();
  await gunAt(desk, "result-tube", single);
  await desk.getByRole("radio", { name: "阴性" }).check();
  await desk.getByTestId("record-result").click();
  await expect(desk.getByTestId("result-outcome")).toContainText("已记录");
  await desk.getByRole("link", { name: "召回名单" }).click();
  const row = desk.getByTestId("recall-row").filter({ hasText: recalled.docNumber });
  await expect(row.getByTestId("recall-state")).toHaveText("已出结果 (阴性)");
  await expect(row).toContainText(`${t1} (阳性) → ${single}`);

  // Accessible, and no sideways scroll at a tablet's width either, in both languages.
  for (const lang of ["zh", "en"]) {
    if (lang === "en") await desk.getByRole("button", { name: "English" }).click();
    await expect(desk.getByRole("heading", { level: 1 })).toHaveText(lang === "zh" ? "召回名单" : "Recall lists");
    const axe = await new AxeBuilder({ page: desk }).analyze();
    const serious = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
    await desk.setViewportSize({ width: 800, height: 1000 });
    expect(await desk.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await desk.screenshot({ path: test.info().outputPath(`console-recalls-${lang}.png`), fullPage: true });
    await desk.setViewportSize({ width: 1280, height: 800 });
  }
});
