// The command centre against the real server: two phones register at two sites of two districts; the dashboard's
// figures at every level equal what they pushed, and follow a new push within 5 s without a reload; a district admin
// sees only their district; a collector gets 403 from every console API and sees no console screen.

import { readFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { runCommand } from "../src/server/cli/commands";
import { type Browser, expect, type Page, test } from "./fixtures";
import { consoleSignIn, logIn, residents, scan } from "./helpers";

async function phoneAt(browser: Browser, account: { username: string; password: string; siteCode: string }) {
  const page = await (await browser.newContext({ viewport: { width: 360, height: 740 } })).newPage();
  await logIn(page, account);
  return page;
}

/** Registers people into the tube (opening it unless `already` are in it) and syncs until nothing is left to send. */
async function register(page: Page, tube: string, people: { code: string }[], already = 0) {
  if (already === 0) await scan(page, tube);
  await expect(page.getByTestId("open-tube")).toHaveText(tube);
  for (const [i, person] of people.entries()) {
    await scan(page, person.code);
    await expect(page.getByTestId("tube-count")).toHaveText(new RegExp(`^${already + i + 1} / `));
  }
  await page.getByRole("button", { name: /立即同步|Sync now/ }).click();
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });
}

test("the dashboard shows what two phones pushed at every level, live; districts and roles are kept apart", async ({
  browser,
  adminStore,
  siteAccount,
  request,
}) => {
  test.setTimeout(240_000);
  const suffix = siteAccount.siteCode.slice(-6);
  const ctx = { store: adminStore, dataDir: process.env.E2E_DATA_DIR ?? "", actor: "e2e" };
  const run = (...argv: string[]) => runCommand(argv, ctx);
  // Districts of this run only (the e2e server is shared with other specs).
  const [east, west] = [`东区${suffix}`, `西区${suffix}`];
  const a = { username: `cmd-a-${suffix.toLowerCase()}`, password: "cmd-password-a", siteCode: `CMA-${suffix}` };
  const b = { username: `cmd-b-${suffix.toLowerCase()}`, password: "cmd-password-b", siteCode: `CMB-${suffix}` };
  await run("add-site", a.siteCode, "东区一号点", "--district", east, "--street", "毓璜顶街道");
  await run("add-site", b.siteCode, "西区一号点", "--district", west, "--street", "初家街道");
  for (const who of [a, b]) {
    await run(
      "add-staff",
      who.username,
      "采集员",
      "--site",
      who.siteCode,
      "--role",
      "collector",
      "--password",
      who.password,
    );
  }
  const city = { username: `city-${suffix.toLowerCase()}`, password: "city-password-1" };
  const eastAdmin = { username: `east-${suffix.toLowerCase()}`, password: "east-password-1" };
  await run("add-staff", city.username, "市指挥部", "--role", "admin", "--password", city.password);
  await run(
    "add-staff",
    eastAdmin.username,
    "东区指挥部",
    "--role",
    "admin",
    "--district",
    east,
    "--password",
    eastAdmin.password,
  );

  const phoneA = await phoneAt(browser, a);
  const phoneB = await phoneAt(browser, b);
  await register(phoneA, `CA${suffix}01`, residents(4, 501));
  await register(phoneB, `CB${suffix}01`, residents(3, 502));

  // The city: each of the two districts with exactly what its phone pushed.
  const desk = await consoleSignIn(browser, city.username, city.password);
  await expect(desk).toHaveURL(/\/console\/command$/);
  const child = (name: string) => desk.getByTestId("dashboard-child").filter({ hasText: name });
  await expect(child(east).getByTestId("child-registrations")).toHaveText("4");
  await expect(child(west).getByTestId("child-registrations")).toHaveText("3");
  await expect(desk.getByTestId("dashboard-chart").locator("canvas")).toHaveCount(1);
  const axe = await new AxeBuilder({ page: desk }).analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
  await desk.screenshot({ path: test.info().outputPath("command-city-zh.png"), fullPage: true });

  // A new site from a CSV file (as Excel saves it on Chinese Windows: GBK is read too; here UTF-8 with BOM).
  await desk.getByRole("link", { name: "导入离线数据" }).click();
  await desk.getByTestId("sites-file").setInputFiles({
    name: "sites.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(
      `\uFEFF采样点编码,采样点名称,区县,街道\nCMC-${suffix},东区二号点,${east},毓璜顶街道\nbad!,坏,${east},\n`,
    ),
  });
  await desk.getByRole("button", { name: "上传" }).last().click();
  await expect(desk.getByTestId("sites-totals")).toHaveText("新建 1 个，更新 0 个，未变 0 个，拒绝 1 行");
  await desk.getByRole("link", { name: "指挥中心" }).click();

  // Drill down: district → street → site, the same four at each level.
  await child(east).getByRole("link").click();
  await expect(desk.getByTestId("fig-registrations")).toHaveText("4");
  await expect(desk.getByTestId("dashboard-child")).toHaveCount(1);
  await desk.getByTestId("dashboard-child").getByRole("link").click();
  await expect(desk.getByTestId("fig-registrations")).toHaveText("4");
  await desk.getByTestId("dashboard-child").filter({ hasText: "东区一号点" }).getByRole("link").click();
  await expect(desk).toHaveURL(new RegExp(`site=${a.siteCode}`));
  await expect(desk.getByTestId("fig-registrations")).toHaveText("4");
  await expect(desk.getByTestId("fig-tubes-open")).toHaveText("1");

  // Live: phone A registers two more; the open dashboard shows them within 5 s of the push, without a reload.
  const loads: string[] = [];
  desk.on("load", () => loads.push(desk.url()));
  await register(phoneA, `CA${suffix}01`, residents(2, 503), 4);
  await expect(desk.getByTestId("fig-registrations")).toHaveText("6", { timeout: 5_000 });
  expect(loads).toEqual([]);

  // Export what is on screen (this site, today) as CSV: six rows, numbers masked.
  await desk.getByTestId("export-format").selectOption("csv");
  const downloading = desk.waitForEvent("download");
  await desk.getByTestId("export-button").click();
  const file = await downloading;
  expect(file.suggestedFilename()).toMatch(new RegExp(`^registrations-${a.siteCode}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const csv = readFileSync((await file.path()) as string, "utf8");
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  const lines = csv.trim().split("\n");
  expect(lines).toHaveLength(7);
  for (const person of [...residents(4, 501), ...residents(2, 503)]) {
    expect(csv).not.toContain(person.docNumber);
    expect(csv).toContain(`${person.phone.slice(0, 3)}****${person.phone.slice(-4)}`);
  }
  await desk.getByRole("button", { name: "English" }).click();
  await expect(desk.getByRole("heading", { name: "Command centre" })).toBeVisible();
  await desk.screenshot({ path: test.info().outputPath("command-site-en.png"), fullPage: true });

  // A lookup: the tube's six residents with their phones, the reason asked for (and audited).
  await desk.getByRole("link", { name: "Look up" }).click();
  await desk.getByTestId("lookup-kind").selectOption("tube");
  await desk.getByTestId("lookup-code").fill(`CA${suffix}01`);
  await desk.getByTestId("lookup-reason").fill("Positive result review");
  await desk.getByRole("button", { name: "Look up" }).click();
  await expect(desk.getByTestId("lookup-row")).toHaveCount(6);
  const phones = [...residents(4, 501), ...residents(2, 503)].map((r) => r.phone);
  for (const phone of phones) await expect(desk.getByTestId("lookup-answer")).toContainText(phone);

  // The district admin: their district only, whatever they ask for.
  const eastDesk = await consoleSignIn(browser, eastAdmin.username, eastAdmin.password);
  await expect(eastDesk.getByTestId("fig-registrations")).toHaveText("6");
  await expect(eastDesk.getByTestId("dashboard-site")).toHaveCount(2);
  await eastDesk.goto(`/console/command?district=${encodeURIComponent(west)}`);
  await expect(eastDesk.getByRole("alert")).toContainText("此账号只能查看本区县");
  await expect(eastDesk.getByTestId("fig-registrations")).toHaveCount(0);
  // Their view starts at their district, and the city's sites import is not offered to them.
  await eastDesk.goto("/console/command");
  await expect(eastDesk.getByRole("navigation", { name: "地区" })).not.toContainText("全市");
  await eastDesk.getByRole("link", { name: "导入离线数据" }).click();
  await expect(eastDesk.getByTestId("sites-file")).toHaveCount(0);

  // A collector: no console screen, and 403 from every console API.
  const collectorDesk = await consoleSignIn(browser, a.username, a.password);
  await expect(collectorDesk.getByText("此账号没有可用的控制台功能")).toBeVisible();
  const token = (
    await (
      await request.post("/api/v1/auth/console-login", { data: { username: a.username, password: a.password } })
    ).json()
  ).token as string;
  for (const [method, url] of [
    ["GET", "/api/v1/dashboard"],
    ["GET", "/api/v1/rounds"],
    ["GET", `/api/v1/dashboard?district=${encodeURIComponent(east)}`],
    ["GET", "/api/v1/labs/LAB01/recalls"],
    ["GET", "/api/v1/labs/results-template?format=csv"],
    ["POST", "/api/v1/admin/import"],
  ] as const) {
    const res = await request.fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}` },
      data: method === "POST" ? {} : undefined,
    });
    expect([url, res.status()]).toEqual([url, 403]);
  }
});
