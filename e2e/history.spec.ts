import { randomUUID } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import type { APIRequestContext } from "@playwright/test";
import { expect, type Page, test } from "./fixtures";
import { account, logIn, scan, unlock } from "./helpers";

test.use({ viewport: { width: 360, height: 740 } });

/**
 * Another phone of the same collector at the site, talking to the server directly: its void, transfer and box
 * handover reach the phone under test by pull, as they do when two phones share a sampling point.
 */
async function otherPhone(request: APIRequestContext) {
  const deviceId = `e2e-other-${Date.now().toString(36)}`;
  const { username, password, siteCode } = account();
  const login = await request.post("/api/v1/auth/login", { data: { username, password, deviceId } });
  expect(login.ok()).toBe(true);
  const { token, staff } = (await login.json()) as { token: string; staff: { id: string } };
  let seq = 0;
  const event = (type: string, payload: object) => ({
    id: randomUUID(),
    deviceId,
    seq: ++seq,
    staffId: staff.id,
    siteCode,
    occurredAt: new Date().toISOString(),
    type,
    payload,
  });
  const push = async (events: ReturnType<typeof event>[]) => {
    const res = await request.post("/api/v1/events/push", {
      headers: { authorization: `Bearer ${token}` },
      data: { deviceId, events },
    });
    expect(res.ok()).toBe(true);
    const { results } = (await res.json()) as { results: { status: string }[] };
    expect(results.map((r) => r.status)).toEqual(events.map(() => "accepted"));
  };
  return { event, push };
}

const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** Serious or critical accessibility violations axe-core finds on the history screen (ids and targets). */
async function axeViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).include(".history-screen").analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Nothing of the history screen reaches past the right edge (the tab bar above it is not this screen's). */
const historyFits = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll(".history-screen, .history-screen *")).every(
      (e) => e.getBoundingClientRect().right <= window.innerWidth,
    ),
  );

async function search(page: Page, query: string) {
  await page.getByTestId("history-search").fill(query);
}

test("history finds people by name, by the last digits of a masked number, by tube and box code, and says who voided, moved and handed over", async ({
  page,
  request,
}) => {
  await logIn(page);
  // This phone registers two people.
  await scan(page, "HIST000001");
  await scan(page, "SP1|张三丰|ID|11010519491231002X|13800000000");
  await scan(page, "SP1|李小龙|ID|440524188001010014");
  await expect(page.getByTestId("tube-count")).toHaveText("2 / 10");

  // The history is open (its index built) before the other phone's events arrive.
  await page.getByTestId("tab-history").click();
  await expect(page.getByTestId("history-HIST000001")).toBeVisible();

  const other = await otherPhone(request);
  const wang = randomUUID();
  const zhao = randomUUID();
  const sun = randomUUID();
  await other.push([
    other.event("tube.opened", { tubeCode: "HIST000002", capacity: 10 }),
    other.event("registration.added", {
      registrationId: wang,
      tubeCode: "HIST000002",
      resident: { name: "王五", docType: "PP", docNumber: "E22225678" },
    }),
    other.event("registration.added", {
      registrationId: zhao,
      tubeCode: "HIST000002",
      resident: { name: "赵六", docType: "PP", docNumber: "E33339999" },
    }),
    other.event("registration.voided", { registrationId: zhao, tubeCode: "HIST000002", reason: "信息录错" }),
    other.event("tube.sealed", { tubeCode: "HIST000002", count: 1, short: true }),
    other.event("box.opened", { boxCode: "BOX-HIST01" }),
    other.event("box.tube_added", { boxCode: "BOX-HIST01", tubeCode: "HIST000002" }),
    other.event("box.closed", { boxCode: "BOX-HIST01", tubeCount: 1 }),
    other.event("box.handed_over", {
      boxCode: "BOX-HIST01",
      courierName: "刘师傅",
      courierPhone: "13900001111",
      vehiclePlate: "鲁F12345",
    }),
    other.event("tube.opened", { tubeCode: "HIST000003", capacity: 10 }),
    other.event("registration.added", {
      registrationId: sun,
      tubeCode: "HIST000003",
      resident: { name: "孙七", docType: "PP", docNumber: "E44440000" },
    }),
    other.event("tube.transferred", { fromTubeCode: "HIST000003", toTubeCode: "HIST000004", reason: "试管破损" }),
  ]);
  // The browser coming online makes the phone sync (push, then pull).
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect(page.getByTestId("history-HIST000004")).toBeVisible({ timeout: 30_000 });

  // By part of a Chinese name: the tube, opened, with the matching member marked and the number masked.
  await search(page, "三丰");
  const first = page.getByTestId("history-HIST000001");
  await expect(page.locator("[data-testid^=history-HIST]")).toHaveCount(1);
  await expect(first).toHaveAttribute("open", "");
  await expect(first.locator("[data-match]")).toContainText("张三丰");
  await expect(first.locator("[data-match]")).toContainText("110105********002X");
  await expect(first.locator("li:not([data-match])")).toContainText("李小龙");
  // Shown in full only on request.
  await first
    .locator("[data-match]")
    .getByRole("button", { name: /显示号码|Show number/ })
    .click();
  await expect(first.locator("[data-match]")).toContainText("11010519491231002X");

  // By the last four characters a masked number shows (any case).
  await search(page, "002x");
  await expect(page.locator("[data-testid^=history-HIST]")).toHaveCount(1);
  await expect(first.locator("[data-match]")).toContainText("张三丰");
  await search(page, "5678");
  const second = page.getByTestId("history-HIST000002");
  await expect(second.locator("[data-match]")).toContainText("王五");
  await expect(page.locator("[data-testid^=history-HIST]")).toHaveCount(1);

  // A voided registration says why, who and when; the count leaves it out.
  await search(page, "赵六");
  await expect(second).toContainText("1 / 10");
  const voided = second.getByTestId("history-void");
  await expect(voided).toContainText("已作废：信息录错");
  await expect(voided).toContainText("测试员");
  await expect(voided).toContainText(/\d{2}:\d{2}/);
  expect(await axeViolations(page)).toEqual([]);

  // A transferred tube says where to, why, who and when.
  await search(page, "HIST000003");
  await expect(page.getByTestId("history-HIST000003").getByTestId("history-transfer")).toContainText(
    /已转管至 HIST000004：试管破损（测试员，.*\d{2}:\d{2}）/,
  );
  // A part of a tube code finds every tube holding it, newest first.
  await search(page, "ist00000");
  await expect(page.locator("[data-testid^=history-HIST]")).toHaveCount(4);

  // By box code (whole or part): the box, its handover and its tubes.
  await search(page, "BOX-HIST01");
  const box = page.getByTestId("history-box-BOX-HIST01");
  await expect(box).toContainText("已交接");
  await expect(box.getByTestId("history-handover")).toContainText("刘师傅");
  await expect(box.getByTestId("history-handover")).toContainText("13900001111");
  await expect(box.getByTestId("history-handover")).toContainText("鲁F12345");
  await expect(box.getByTestId("history-handover")).toContainText(/\d{2}:\d{2}/);
  expect(await axeViolations(page)).toEqual([]);
  await search(page, "hist01");
  await expect(box).toBeVisible();
  await box.getByRole("button", { name: /HIST000002/ }).click();
  await expect(page.getByTestId("history-search")).toHaveValue("HIST000002");
  await expect(second).toBeVisible();
  expect(await noSidewaysScroll(page)).toBe(true);
  expect(await historyFits(page)).toBe(true);

  // Nothing found says so.
  await search(page, "不存在的人");
  await expect(page.getByTestId("history-nothing")).toContainText("不存在的人");

  // In English too, on a 360 px phone, without sideways scrolling.
  await page.evaluate(() => localStorage.setItem("samplepoint.lang", "en"));
  await page.reload();
  await unlock(page);
  await page.getByTestId("tab-history").click();
  await search(page, "赵六");
  await expect(page.getByTestId("history-HIST000002").getByTestId("history-void")).toContainText(
    /Voided: 信息录错 \(测试员, .*\d{2}:\d{2}\)/,
  );
  expect(await historyFits(page)).toBe(true);
  await search(page, "BOX-HIST01");
  await expect(page.getByTestId("history-box-BOX-HIST01").getByTestId("history-handover")).toContainText(
    "Handed over: 刘师傅, 13900001111",
  );
  await expect(page.getByTestId("history-box-BOX-HIST01")).toContainText(/1 tube(?!s)/);
  expect(await historyFits(page)).toBe(true);
});
