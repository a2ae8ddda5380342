import { runCommand } from "../src/server/cli/commands";
import { expect, test } from "./fixtures";
import { account, gun, logIn, PIN, scan, unlock } from "./helpers";

test("locks after idle, unlocks with the PIN, and five wrong PINs need the password — keeping all data", async ({
  page,
}) => {
  await logIn(page);
  await scan(page, "YT00000301");
  await scan(page, "SP1|张三|ID|11010519491231002X");
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");

  // A short idle time for the test (the product default is 5 minutes).
  await page.evaluate(() => localStorage.setItem("samplepoint.idleMs", "1500"));
  await page.getByTestId("scan-input").click();
  await expect(page.getByTestId("lock-screen")).toBeVisible({ timeout: 10_000 });
  await unlock(page);
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");

  await expect(page.getByTestId("lock-screen")).toBeVisible({ timeout: 10_000 });
  const pinField = page.getByTestId("lock-screen").getByLabel("PIN");
  for (let i = 1; i <= 4; i++) {
    await pinField.fill("0000");
    await page.getByRole("button", { name: /解锁|Unlock/ }).click();
    await expect(page.getByTestId("pin-message")).toContainText(`还可尝试 ${5 - i} 次`);
  }
  await pinField.fill("0000");
  await page.getByRole("button", { name: /解锁|Unlock/ }).click();
  await expect(page.getByRole("alert")).toContainText("请用密码重新登录");

  await page.evaluate(() => localStorage.removeItem("samplepoint.idleMs"));
  await page.getByLabel(/密码|Password/).fill(account().password);
  await page.getByRole("button", { name: /^(登录|Sign in)$/ }).click();
  await page.getByLabel(/^(PIN)$/).fill(PIN);
  await page.getByLabel(/再次输入 PIN|PIN again/).fill(PIN);
  await page.getByRole("button", { name: /保存 PIN|Save PIN/ }).click();
  // Nothing was lost: the open tube and its resident are still there.
  await expect(page.getByTestId("open-tube")).toHaveText("YT00000301");
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");
});

test("refuses to sign out while registrations are not uploaded, and allows it after syncing", async ({
  page,
  context,
}) => {
  await logIn(page);
  await context.setOffline(true);
  await scan(page, "YT00000302");
  await scan(page, "SP1|李四|ID|440524188001010014");
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");
  await page.getByTestId("menu-button").click();
  await page.getByTestId("logout").click();
  const refused = page.getByTestId("logout-refused");
  await expect(refused).toContainText("不能退出登录");
  await expect(refused).toContainText(/还有 [23] 条记录未上传/);
  await expect(page.getByTestId("scan-input")).toBeVisible();

  await context.setOffline(false);
  await refused.getByRole("button", { name: /立即同步|Sync now/ }).click();
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0");
  await page.getByTestId("menu-button").click();
  await page.getByTestId("logout").click();
  await expect(page.getByRole("button", { name: /^(登录|Sign in)$/ })).toBeVisible();
});

test("a scanner gun's code typed into the locked screen is not counted as a wrong PIN", async ({ page }) => {
  await logIn(page);
  await page.getByTestId("menu-button").click();
  await page.getByRole("button", { name: /^(锁定|Lock)$/ }).click();
  await expect(page.getByTestId("lock-screen")).toBeVisible();
  // Five scans would have been five wrong PINs (and a forced password sign-in).
  for (let i = 0; i < 5; i++) await gun(page, "SP1|张三|ID|11010519491231002X");
  await expect(page.getByTestId("pin-message")).toContainText("未计入错误次数");
  await expect(page.getByTestId("pin-message")).not.toContainText("还可尝试");
  await unlock(page);
  await expect(page.getByTestId("scan-input")).toBeVisible();
});

test("a sign-in or sign-out in one tab locks the others: none keeps working, or sets a PIN, under the key it held", async ({
  page,
  context,
  adminStore,
}) => {
  await logIn(page);
  await scan(page, "YT00000303");
  await scan(page, "SP1|张三|ID|11010519491231002X");
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0");
  const second = await context.newPage();
  await second.goto("/");
  await unlock(second);
  await expect(second.getByTestId("tube-count")).toHaveText("1 / 10");

  // Signing out in the first tab locks the second at once (it drops its key).
  await page.getByTestId("menu-button").click();
  await page.getByTestId("logout").click();
  await expect(second.getByTestId("scan-input")).toBeHidden();
  expect(await second.evaluate(() => document.body.innerText)).not.toContain("张三");

  // Another staff member of the site signs in on the first tab: the records were all uploaded, so they are erased and
  // a new key is made. The second tab must not offer to set a PIN over the key it held before.
  const other = { username: `${account().username}-b`, password: "e2e-password-2", siteCode: account().siteCode };
  await runCommand(
    [
      "add-staff",
      other.username,
      "第二人",
      "--site",
      other.siteCode,
      "--role",
      "collector",
      "--password",
      other.password,
    ],
    { store: adminStore, dataDir: process.env.E2E_DATA_DIR ?? "", actor: "e2e" },
  );
  await page.getByLabel(/用户名|Username/).fill(other.username);
  await page.getByLabel(/密码|Password/).fill(other.password);
  await page.getByRole("button", { name: /^(登录|Sign in)$/ }).click();
  await expect(page.getByLabel(/再次输入 PIN|PIN again/)).toBeVisible();
  await expect(second.getByLabel(/再次输入 PIN|PIN again/)).toBeHidden();
  await expect(second.getByRole("button", { name: /^(登录|Sign in)$/ })).toBeVisible();
  await page.getByLabel(/^(PIN)$/).fill("1357");
  await page.getByLabel(/再次输入 PIN|PIN again/).fill("1357");
  await page.getByRole("button", { name: /保存 PIN|Save PIN/ }).click();
  await expect(page.getByTestId("scan-input")).toBeVisible();
  // The second tab opens with the new PIN, on the new key: a new tube records and is read back.
  await unlock(second, "1357");
  await expect(second.getByTestId("scan-input")).toBeVisible();
  await scan(second, "YT00000304");
  await expect(second.getByTestId("open-tube")).toHaveText("YT00000304");
  await second.reload();
  await unlock(second, "1357");
  await expect(second.getByTestId("open-tube")).toHaveText("YT00000304");
});
