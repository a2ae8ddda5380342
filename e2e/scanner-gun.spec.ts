/**
 * A USB/Bluetooth scanner gun is a keyboard: it types the code fast, then Enter, into whatever has focus. Staff tap
 * all over the screen between scans; every scan must still register exactly once and never press a button.
 */
import { expect, type Page, test } from "./fixtures";
import { gun, logIn, setLanguage } from "./helpers";

// Guns type a few ms apart (the app's default threshold is 30 ms); on this shared 2-core test machine Chromium can
// receive Playwright's 8 ms keys 50–150 ms apart, so these tests use the setting a slow Bluetooth gun would need.
test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem("samplepoint.wedgeGapMs", "100"));
});

const NAMES = ["赵一", "钱二", "孙三", "李四", "周五", "吴六", "郑七", "王八", "冯九", "陈十", "褚十一", "卫十二"];
const NAMES_MORE = ["蒋甲", "沈乙", "韩丙", "杨丁", "朱戊", "秦己", "尤庚", "许辛", "何壬", "吕癸", "施子", "张丑"];
const resident = (i: number) => `SP1|${[...NAMES, ...NAMES_MORE][i]}|PP|E${String(7000000 + i)}`;

/** Records buttons activated from the keyboard (a click with detail 0), the scan form's own submit aside. */
async function watchKeyboardClicks(page: Page) {
  await page.evaluate(() => {
    const clicks: string[] = [];
    (window as unknown as { keyboardClicks: string[] }).keyboardClicks = clicks;
    document.addEventListener(
      "click",
      (event) => {
        const button = (event.target as Element | null)?.closest("button, [role=tab], summary");
        if (!button || event.detail !== 0) return;
        // Enter in the scan field submits its form through its default button: that is the scan itself.
        if (button.closest("form.scan-form") && (button as HTMLButtonElement).type === "submit") return;
        clicks.push(button.textContent ?? "?");
      },
      true,
    );
  });
}
const keyboardClicks = (page: Page) =>
  page.evaluate(() => (window as unknown as { keyboardClicks: string[] }).keyboardClicks);

test("a gun's scan registers exactly once wherever the worker tapped last, and presses no button", async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 390, height: 844 });
  await logIn(page);
  await watchKeyboardClicks(page);
  const input = page.getByTestId("scan-input");
  const count = page.getByTestId("tube-count");

  // Tap somewhere outside the field first: the gun's code still opens the tube.
  await page.getByTestId("counters").click();
  await gun(page, "YT30000001");
  await expect(page.getByTestId("open-tube")).toHaveText("YT30000001");
  let registered = 0;
  let tube = 1;

  /** The worker taps `place`, then scans the next resident with the gun. */
  async function tapThenScan(label: string, place: () => Promise<void>) {
    if (registered === 10) {
      // Full: the next tube's label is scanned the same way (sealing the full one first).
      await page.getByTestId("seal-prompt").getByRole("button").click();
      tube += 1;
      await gun(page, `YT3000000${tube}`);
      await expect(page.getByTestId("open-tube")).toHaveText(`YT3000000${tube}`);
      registered = 0;
    }
    await place();
    const index = (tube - 1) * 10 + registered;
    await gun(page, resident(index));
    registered += 1;
    await expect(count, `after tapping ${label}`).toHaveText(`${registered} / 10`);
    await expect(page.getByTestId("members").locator("li").first(), `after tapping ${label}`).toContainText(
      [...NAMES, ...NAMES_MORE][index] as string,
    );
    await expect(input, `focus after tapping ${label}`).toBeFocused();
    expect(await keyboardClicks(page), `buttons pressed by the gun after tapping ${label}`).toEqual([]);
  }

  await tapThenScan("the scan field", () => input.click());
  await tapThenScan("a member row", () => page.getByTestId("member").first().locator(".member-name").click());
  await tapThenScan("the tube heading", () => page.getByTestId("open-tube").click());
  await tapThenScan("the counters", () => page.getByTestId("counters").click());
  await tapThenScan("the current tab", () => page.getByTestId("tab-station").click());
  await tapThenScan("sync now", () => page.getByTestId("sync-chip").click());
  await tapThenScan("the keyboard button", async () => {
    await page.getByRole("button", { name: /显示键盘|Show keyboard/ }).click();
    await page.getByRole("button", { name: /显示键盘|Show keyboard/ }).click();
  });
  await tapThenScan("manual entry (its form open, the number field focused)", async () => {
    await page.getByRole("button", { name: /手动录入|Manual entry/ }).click();
    await expect(page.getByTestId("resident-form").getByLabel(/证件号码|Document number/)).toBeFocused();
  });
  // The manual form is left as it was: the gun's code did not go into it.
  await expect(page.getByTestId("resident-form").getByLabel(/证件号码|Document number/)).toHaveValue("");
  await page.getByRole("button", { name: /取消|Cancel/ }).click();
  await tapThenScan("transfer (its form open)", async () => {
    await page.getByRole("button", { name: /^(转管|Transfer)$/ }).click();
    await expect(page.getByTestId("transfer-form").getByLabel(/新试管条码|New tube barcode/)).toBeFocused();
  });
  await expect(page.getByTestId("transfer-form").getByLabel(/新试管条码|New tube barcode/)).toHaveValue("");
  await page.getByRole("button", { name: /取消|Cancel/ }).click();
  await tapThenScan("void, then cancel", async () => {
    await page
      .getByTestId("member")
      .first()
      .getByRole("button", { name: /作废|Void/ })
      .click();
    await expect(page.getByTestId("void-form")).toBeVisible();
    await page
      .getByTestId("void-form")
      .getByRole("button", { name: /取消|Cancel/ })
      .click();
  });
  await tapThenScan("another tab and back", async () => {
    await page.getByTestId("tab-history").click();
    await page.getByTestId("tab-station").click();
  });
  await tapThenScan("the language switch", async () => {
    await setLanguage(page, "en");
  });
  await tapThenScan("an error message", async () => {
    await gun(page, "NOT-A-CODE");
    await expect(page.getByTestId("problem")).toBeVisible();
    await page.getByTestId("problem").click();
  });
  await tapThenScan("the menu (left open)", () => page.getByTestId("menu-button").click());
  expect(tube).toBe(2);
});

test("a transfer's new tube can be scanned with the gun while its form is open", async ({ page }) => {
  await logIn(page);
  await gun(page, "YT31000001");
  await gun(page, resident(0));
  await page.getByRole("button", { name: /^(转管|Transfer)$/ }).click();
  const form = page.getByTestId("transfer-form");
  await gun(page, "YT31000002");
  await expect(form.getByLabel(/新试管条码|New tube barcode/)).toHaveValue("YT31000002");
  await form.getByRole("radio", { name: /试管破损|Tube broken/ }).check();
  await form.getByRole("button", { name: /确认转管|Transfer people/ }).click();
  await expect(page.getByTestId("open-tube")).toHaveText("YT31000002");
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");
});

test("typing slowly into a sheet's field types there; the gun's burst there goes to the scan", async ({ page }) => {
  await logIn(page);
  await gun(page, "YT32000001");
  await page.getByRole("button", { name: /手动录入|Manual entry/ }).click();
  const form = page.getByTestId("resident-form");
  await expect(form.getByLabel(/证件号码|Document number/)).toBeFocused();
  // A person types the number, slowly: it stays in the field and live validation answers.
  await page.keyboard.type("11010519491231002X", { delay: 250 });
  await expect(form.getByLabel(/证件号码|Document number/)).toHaveValue("11010519491231002X");
  await expect(page.getByTestId("doc-hint")).toHaveText("✓");
  await form.getByLabel(/姓名|Name/).click();
  await page.keyboard.type("张三", { delay: 250 });
  await expect(form.getByLabel(/姓名|Name/)).toHaveValue("张三");
  // Mid-form, a resident walks up with a QR code: the gun's burst registers them and the form keeps its text.
  await gun(page, resident(3));
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");
  await expect(form.getByLabel(/姓名|Name/)).toHaveValue("张三");
  await expect(form.getByLabel(/证件号码|Document number/)).toHaveValue("11010519491231002X");
  // Enter typed by a person in the form submits the form.
  await form.getByLabel(/姓名|Name/).click();
  await page.waitForTimeout(200);
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("tube-count")).toHaveText("2 / 10");
  await expect(page.getByTestId("members").locator("li").first()).toContainText("张三");
});

test("the boxes tab takes the gun's first scan after opening it", async ({ page }) => {
  await logIn(page);
  await gun(page, "YT33000001");
  await gun(page, resident(0));
  await page.getByTestId("seal").click();
  await page
    .getByRole("alertdialog")
    .getByRole("button", { name: /确认封管|Seal short tube/ })
    .click();
  await expect(page.getByTestId("open-tube")).toHaveCount(0);

  await page.getByTestId("tab-boxes").click();
  await expect(page.getByTestId("box-input")).toBeVisible();
  await gun(page, "BOX-330001");
  await expect(page.getByTestId("open-box")).toHaveText("BOX-330001");
  // Away and back: the first scan after opening the tab packs the tube.
  await page.getByTestId("tab-history").click();
  await page.getByTestId("tab-boxes").click();
  await expect(page.getByTestId("box-input")).toBeVisible();
  await gun(page, "YT33000001");
  await expect(page.getByTestId("box-count")).toHaveText(/^1/);
  await expect(page.getByTestId("box-input")).toBeFocused();
});

test("a gun in plain keyboard mode garbles a Chinese name: the code is refused with the fix, in both languages", async ({
  page,
}) => {
  await logIn(page);
  await gun(page, "YT34000001");
  // What such a gun sends for SP1|张三|…: question marks where the name was.
  await gun(page, "SP1|??|ID|11010519491231002X");
  const problem = page.getByTestId("problem");
  await expect(problem).toHaveAttribute("data-code", "garbled_code");
  await expect(problem).toContainText("Unicode");
  await expect(problem).toContainText(/扫码枪|摄像头/);
  await expect(page.getByTestId("tube-count")).toHaveText("0 / 10");
});
