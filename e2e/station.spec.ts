import { expect, test } from "./fixtures";
import { logIn, scan, setLanguage, unlock } from "./helpers";

test("handles scans that arrive faster than they are saved, in order", async ({ page }) => {
  await logIn(page);
  const input = page.getByTestId("scan-input");
  // A keyboard-wedge scanner types code after code without waiting for the screen.
  for (const code of [
    "YT00000101",
    "SP1|张三|ID|11010519491231002X",
    "SP1|李四|ID|440524188001010014",
    "SP1|王五|PP|E12345678",
  ]) {
    await input.fill(code);
    await page.keyboard.press("Enter");
  }
  await expect(page.getByTestId("tube-count")).toHaveText("3 / 10");
  await expect(page.getByTestId("members").locator("li")).toHaveCount(3);
  // Newest first: the person just scanned is on top, the first of the tube at the bottom.
  await expect(page.getByTestId("members").locator("li").first()).toContainText("王五");
  await expect(page.getByTestId("members").locator("li").last()).toContainText("张三");
});

test("refuses wrong input with a reason in both languages, and seals a short tube only after confirmation", async ({
  page,
}) => {
  await logIn(page);
  // A resident code where a tube is expected.
  await scan(page, "SP1|张三|ID|11010519491231002X");
  const problem = page.getByTestId("problem");
  await expect(problem).toHaveAttribute("data-code", "wrong_kind");
  await expect(problem).toContainText("此处需要试管条码");
  await expect(problem).toContainText("a tube barcode is expected here");

  await scan(page, "YT00000201");
  await expect(page.getByTestId("open-tube")).toHaveText("YT00000201");
  await scan(page, "110105194912310021");
  await expect(problem).toHaveAttribute("data-code", "invalid_resident_code");
  await expect(problem).toContainText("check digit");

  await scan(page, "SP1|张三|ID|11010519491231002X");
  await scan(page, "SP1|张三|ID|11010519491231002X");
  await expect(problem).toHaveAttribute("data-code", "already_in_tube");
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");

  await page.getByTestId("seal").click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toContainText("1/10");
  await confirm.getByRole("button", { name: /确认封管|Seal short tube/ }).click();
  await expect(page.getByTestId("notice")).toContainText("YT00000201");
  await expect(page.getByTestId("open-tube")).toHaveCount(0);

  // The sealed tube's code cannot be used again.
  await scan(page, "YT00000201");
  await expect(problem).toHaveAttribute("data-code", "tube_exists");
});

test("switches to English", async ({ page }) => {
  await logIn(page);
  await setLanguage(page, "en");
  await expect(page.getByText("Scan or type the tube barcode")).toBeVisible();
  await page.reload();
  await unlock(page);
  await expect(page.getByText("Scan or type the tube barcode")).toBeVisible();
});
