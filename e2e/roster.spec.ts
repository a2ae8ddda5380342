/**
 * Rosters end to end: a site lead imports the site's roster in the console (a refused row named with its line), the
 * phone pulls it (sealed: a raw IndexedDB read finds none of its names or numbers), a bare ID number on the roster
 * registers with the roster's name in one scan, a resident not on it is accepted with a quiet note, and the console's
 * coverage and not-yet-sampled list follow (exemption, export).
 */
import { readFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { idNumber, nameOf } from "../src/domain/testResidents";
import { runCommand } from "../src/server/cli/commands";
import { expect, type Page, test } from "./fixtures";
import { consoleSignIn, gun, horizontalOverflow, logIn, rawDatabaseText, scan } from "./helpers";

/** Waits until the phone holds a roster (sealed in the meta table). */
async function waitForRoster(page: Page) {
  await expect
    .poll(
      () =>
        page.evaluate(
          () =>
            new Promise<boolean>((resolve) => {
              const open = indexedDB.open("samplepoint");
              open.onsuccess = () => {
                const req = open.result.transaction("meta").objectStore("meta").get("roster");
                req.onsuccess = () => {
                  resolve(req.result !== undefined);
                  open.result.close();
                };
                req.onerror = () => resolve(false);
              };
              open.onerror = () => resolve(false);
            }),
        ),
      { timeout: 30_000 },
    )
    .toBe(true);
}

test("a roster imported in the console marks residents at the station and drives coverage", async ({
  browser,
  adminStore,
  siteAccount,
}) => {
  test.setTimeout(180_000);
  const ctx = { store: adminStore, dataDir: process.env.E2E_DATA_DIR ?? "", actor: "e2e" };
  const lead = { username: `${siteAccount.username}-lead`, password: "lead-password-1" };
  await runCommand(
    [
      "add-staff",
      lead.username,
      "点长",
      "--site",
      siteAccount.siteCode,
      "--role",
      "site_lead",
      "--password",
      lead.password,
    ],
    ctx,
  );
  // Distinct numbers for this run (the e2e server is shared, and a resident registers once a day).
  const base = 1000 + (Date.now() % 300_000);
  const people = Array.from({ length: 5 }, (_, i) => ({ name: nameOf(base + i), doc: idNumber(base + i) }));
  type Person = (typeof people)[number];
  const [bare, coded, away] = [people[0], people[1], people[4]] as [Person, Person, Person];
  const csv = [
    "\uFEFF姓名,证件类型,证件号码,手机号,社区,网格",
    // The last one has no phone (an elderly resident): their card is printed at the desk.
    ...people.map(
      (p, i) =>
        `${p.name},居民身份证,${p.doc},${i < 4 ? `1390000${String(i).padStart(4, "0")}` : ""},幸福社区,${i < 3 ? "1号楼" : "2号楼"}`,
    ),
    "坏号码,居民身份证,370602199001011234,,幸福社区,1号楼",
  ].join("\n");

  // The site lead imports it: five on the roster, line 7 refused with its reason in Chinese.
  const desk = await consoleSignIn(browser, lead.username, lead.password);
  await desk.getByRole("link", { name: "名单与应检尽检" }).click();
  await expect(desk.getByTestId("roster-site")).toHaveValue(siteAccount.siteCode);
  await desk
    .getByTestId("roster-file")
    .setInputFiles({ name: "名单.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await desk.getByRole("button", { name: "上传" }).click();
  await expect(desk.getByTestId("roster-totals")).toContainText("已导入 5 人");
  await expect(desk.getByTestId("roster-refused")).toContainText("7");
  await expect(desk.getByTestId("roster-refused")).toContainText("证件号码无效");
  await expect(desk.getByTestId("cov-expected")).toHaveText("5");
  await expect(desk.getByTestId("cov-sampled")).toHaveText("0");

  // The phone pulls the roster after its first sync.
  const phone = await (await browser.newContext({ viewport: { width: 360, height: 740 } })).newPage();
  await logIn(phone);
  await waitForRoster(phone);
  // The roster is sealed at rest: no name or number of it in a raw read (nobody is registered yet).
  const raw = await rawDatabaseText(phone);
  for (const p of people) {
    expect(raw.text).not.toContain(p.name);
    expect(raw.text).not.toContain(p.doc);
  }

  // A scanner gun: tube, then a bare ID number on the roster — registered with the roster's name, no typing.
  await phone.locator("body").click({ position: { x: 5, y: 5 } });
  await gun(phone, `RS${Date.now().toString(36).toUpperCase().slice(-8)}`);
  await expect(phone.getByTestId("open-tube")).toBeVisible();
  await gun(phone, bare.doc);
  await expect(phone.getByTestId("tube-count")).toHaveText("1 / 10");
  await expect(phone.getByTestId("notice")).toContainText(bare.name);
  await expect(phone.getByTestId("notice")).toContainText("名单内·1号楼");
  // A full SP1 code of a roster resident: marked; someone not on it: accepted with the quiet note.
  await scan(phone, `SP1|${coded.name}|ID|${coded.doc}|13900000001|幸福社区`);
  await expect(phone.getByTestId("notice")).toContainText("名单内");
  await phone.getByTestId("undo").click();
  await expect(phone.getByTestId("tube-count")).toHaveText("1 / 10");
  // The same number under another name (a mixed-up code): registered, and the roster's name is said, to check.
  await scan(phone, `SP1|${nameOf(base + 50)}|ID|${coded.doc}|13900000001|幸福社区`);
  await expect(phone.getByTestId("notice")).toContainText(`名单上此证件的姓名是 ${coded.name}`);
  const stranger = { name: nameOf(base + 900_000 - 1), doc: idNumber(base + 100_000) };
  await scan(phone, `SP1|${stranger.name}|ID|${stranger.doc}`);
  await expect(phone.getByTestId("tube-count")).toHaveText("3 / 10");
  await expect(phone.getByTestId("notice")).toContainText("不在名单");
  expect((await horizontalOverflow(phone)).scrollWidth).toBeLessThanOrEqual(360);
  await phone.screenshot({ path: test.info().outputPath("roster-station-zh.png") });
  await phone.getByRole("button", { name: /立即同步|Sync now/ }).click();
  await expect(phone.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });

  // Coverage follows: two of five sampled; the not-yet-sampled list is exactly the other three.
  await desk.reload();
  await expect(desk.getByTestId("cov-sampled")).toHaveText("2", { timeout: 20_000 });
  await expect(desk.getByTestId("cov-percent")).toHaveText("40.0%");
  await desk.getByTestId("unsampled-site-link").click();
  await expect(desk.getByTestId("unsampled-row")).toHaveCount(3);
  const listed = await desk.getByTestId("unsampled-table").textContent();
  for (const p of people.slice(2)) expect(listed).toContain(p.name);
  expect(listed).not.toContain(bare.name);
  expect(listed).not.toContain(away.doc);

  // Resident-code cards for those without a phone, printed alone on A6 (print() stubbed: no dialog in headless).
  await desk.evaluate(() => {
    (window as unknown as { printed: number }).printed = 0;
    window.print = () => {
      (window as unknown as { printed: number }).printed++;
    };
  });
  await desk.getByTestId("print-cards").click();
  await expect.poll(() => desk.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
  await desk.emulateMedia({ media: "print" });
  const card = desk.getByTestId("print-card");
  await expect(card).toHaveCount(1);
  await expect(card).toContainText(away.name);
  await expect(card).not.toContainText(away.doc);
  const box = await card.boundingBox();
  // 105 × 148 mm at 96 px per inch.
  expect(Math.round(box?.width ?? 0)).toBe(397);
  expect(Math.round(box?.height ?? 0)).toBe(559);
  await expect(desk.getByTestId("unsampled-table")).toBeHidden();
  await card.screenshot({ path: test.info().outputPath("roster-card-print.png") });
  await desk.evaluate(() => window.dispatchEvent(new Event("afterprint")));
  await desk.emulateMedia({ media: "screen" });
  await expect(desk.getByTestId("roster-cards")).toHaveCount(0);

  // Exempted (away): off the list and the denominator; listed apart.
  await desk.getByRole("button", { name: `豁免 ${away.name}` }).click();
  await desk.getByLabel("说明（可不填）").fill("在外地工作");
  await desk.getByTestId("exempt-save").click();
  await expect(desk.getByTestId("unsampled-row")).toHaveCount(2);
  await expect(desk.getByTestId("exempted-row")).toContainText(away.name);
  await expect(desk.getByTestId("exempted-row")).toContainText("外出");
  const axe = await new AxeBuilder({ page: desk }).analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
  await desk.screenshot({ path: test.info().outputPath("roster-unsampled-zh.png"), fullPage: true });

  // The export holds exactly the list (CSV with BOM).
  const download = desk.waitForEvent("download");
  await desk.getByTestId("unsampled-csv").click();
  const file = readFileSync(await (await download).path());
  const text = file.toString("utf8");
  expect(text.startsWith("\uFEFF姓名")).toBe(true);
  expect(text.trim().split(/\r?\n/)).toHaveLength(3);

  await desk.getByRole("link", { name: /返回应检尽检/ }).click();
  await expect(desk.getByTestId("cov-expected")).toHaveText("4");
  await expect(desk.getByTestId("cov-exempt")).toHaveText("1");
  await expect(desk.getByTestId("cov-percent")).toHaveText("50.0%");
  await desk.screenshot({ path: test.info().outputPath("roster-coverage-zh.png"), fullPage: true });
});
