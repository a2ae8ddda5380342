import AxeBuilder from "@axe-core/playwright";
import { runCommand } from "../src/server/cli/commands";
import type { Store } from "../src/server/db";
import { expect, type Page, test } from "./fixtures";
import { type Account, checkerToken, logIn, scan } from "./helpers";

test.use({ viewport: { width: 360, height: 740 } });

/** A site lead of the test's site, made with the administration CLI as the fixture makes the collector. */
async function addSiteLead(adminStore: Store, site: Account): Promise<Account> {
  const lead: Account = { username: `${site.username}-lead`, password: "e2e-lead-password-1", siteCode: site.siteCode };
  const ctx = { store: adminStore, dataDir: process.env.E2E_DATA_DIR ?? "", actor: "e2e" };
  await runCommand(
    ["add-staff", lead.username, "组长", "--site", site.siteCode, "--role", "site_lead", "--password", lead.password],
    ctx,
  );
  return lead;
}

const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

test("a site lead changes the pool size and the phone rule on the phone; the next tube takes the new size", async ({
  page,
  request,
  adminStore,
  siteAccount,
}) => {
  const lead = await addSiteLead(adminStore, siteAccount);
  await logIn(page, lead);
  await page.getByTestId("tab-settings").click();
  const section = page.getByTestId("site-settings");
  await expect(section).toBeVisible();
  expect(await noSidewaysScroll(page)).toBe(true);

  // Checked before sending: an empty name is refused on the spot.
  await section.getByTestId("site-name").fill("  ");
  await section.getByTestId("site-save").click();
  await expect(section.getByTestId("site-settings-problem")).toHaveAttribute("data-code", "name_empty");
  await expect(section.getByTestId("site-settings-problem")).toContainText("请填写采样点名称");
  await expect(section.getByTestId("site-settings-problem")).toContainText("Enter the site name");

  await section.getByTestId("site-name").fill("幸福里采样点");
  await section.getByText("5 人").click();
  await section.getByTestId("site-phone-required").check();
  // What the phone keeps: 7 days by default, shown with the date before which handed-over records are deleted.
  await expect(page.getByTestId("retention-kept")).toHaveAttribute("data-days", "7");
  await expect(page.getByTestId("retention-kept")).toContainText("保留 7 天");
  await section.getByTestId("site-retention").selectOption("3");
  await section.getByTestId("site-save").click();
  await expect(page.getByTestId("site-settings-saved")).toContainText("新开的试管每管 5 人，必须填写手机号");
  await expect(page.getByTestId("site-settings-saved")).toContainText(
    "new tubes take 5 people, mobile number required",
  );
  // The form shows the saved settings.
  await expect(section.getByTestId("site-pool-5")).toBeChecked();
  await expect(section.getByTestId("site-name")).toHaveValue("幸福里采样点");
  const { violations } = await new AxeBuilder({ page }).include("[data-testid=site-settings]").analyze();
  expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);

  // The server has them (for the other phones' next sync).
  const token = await checkerToken(request, lead);
  const site = await (
    await request.get(`/api/v1/sites/${lead.siteCode}`, { headers: { authorization: `Bearer ${token}` } })
  ).json();
  expect(site).toMatchObject({ name: "幸福里采样点", poolSize: 5, phoneRequired: true, retentionDays: 3 });
  await expect(page.getByTestId("retention-kept")).toHaveAttribute("data-days", "3");

  // This phone uses them at once: the next tube takes 5, and a resident without a mobile number is refused.
  await page.getByTestId("tab-station").click();
  await scan(page, "SITESET001");
  await expect(page.getByTestId("tube-count")).toHaveText("0 / 5");
  await scan(page, "SP1|钱八|ID|11010519491231002X");
  await expect(page.getByTestId("problem")).toHaveAttribute("data-code", "phone_required");
  await scan(page, "SP1|钱八|ID|11010519491231002X|13800000000");
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 5");
});

test("a collector does not see the site settings", async ({ page }) => {
  await logIn(page);
  await page.getByTestId("tab-settings").click();
  await expect(page.getByTestId("settings")).toBeVisible();
  await expect(page.getByTestId("app-version")).toBeVisible();
  await expect(page.getByTestId("site-settings")).toHaveCount(0);
});

test("offline, the change is not saved and the message says why, in both languages", async ({
  page,
  adminStore,
  siteAccount,
}) => {
  const lead = await addSiteLead(adminStore, siteAccount);
  await logIn(page, lead);
  await page.getByTestId("tab-settings").click();
  const section = page.getByTestId("site-settings");
  await section.getByText("20 人").click();
  await page.context().setOffline(true);
  await section.getByTestId("site-save").click();
  const problem = section.getByTestId("site-settings-problem");
  await expect(problem).toHaveAttribute("data-code", "offline");
  await expect(problem).toContainText("无法连接服务器，设置未保存");
  await expect(problem).toContainText("Cannot reach the server; settings NOT saved");
  // The device keeps the old pool size: the next tube still takes 10.
  await page.context().setOffline(false);
  await page.getByTestId("tab-station").click();
  await scan(page, "SITESET002");
  await expect(page.getByTestId("tube-count")).toHaveText("0 / 10");
});
