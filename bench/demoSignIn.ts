/** Signs the demo collector in on a fresh app and sets the app-lock PIN, as benchmarks and asset scripts need. */
import type { Page } from "@playwright/test";

export const DEMO_PIN = "2468";

export async function signInAsDemo(page: Page, url = "/"): Promise<void> {
  await page.goto(url);
  await page.getByLabel(/用户名|Username/).fill("demo");
  await page.getByLabel(/密码|Password/).fill("demo1234");
  await page.getByRole("button", { name: /^(登录|Sign in)$/ }).click();
  await page.getByLabel(/^(PIN)$/).fill(DEMO_PIN);
  await page.getByLabel(/再次输入 PIN|PIN again/).fill(DEMO_PIN);
  await page.getByRole("button", { name: /保存 PIN|Save PIN/ }).click();
  await page.getByTestId("scan-input").waitFor();
}
