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
