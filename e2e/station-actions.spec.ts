/** Acting by scanning and with one tap: seal by re-scan, seal on the next tube, undo, preset reasons. */
import { expect, type Page, test } from "./fixtures";
import { gun, logIn, serverSummary, setLanguage } from "./helpers";

const person = (i: number) =>
  `SP1|${["甲一", "乙二", "丙三", "丁四", "戊五", "己六", "庚七", "辛八", "壬九", "癸十", "子丑"][i]}|PP|E${8100000 + i}`;

async function fill(page: Page, tube: string, from: number, count: number) {
  await gun(page, tube);
  await expect(page.getByTestId("open-tube")).toHaveText(tube);
  for (let i = from; i < from + count; i++) await gun(page, person(i));
  await expect(page.getByTestId("tube-count")).toHaveText(`${count} / 10`);
}

test("scanning the open tube again seals it (a short tube after confirming)", async ({ page }) => {
  await logIn(page);
  await fill(page, "YT40000001", 0, 3);
  await gun(page, "YT40000001");
  const question = page.getByRole("alertdialog");
  await expect(question).toContainText("3/10");
  await question.getByRole("button", { name: /确认封管|Seal short tube/ }).click();
  await expect(page.getByTestId("open-tube")).toHaveCount(0);
  await expect(page.getByTestId("notice")).toContainText("YT40000001");
});

test("a full tube seals on the next tube's scan, which opens the new tube in one step", async ({ page }) => {
  await logIn(page);
  await fill(page, "YT41000001", 0, 10);
  await expect(page.getByTestId("seal-prompt")).toBeVisible();
  await gun(page, "YT41000002");
  await expect(page.getByTestId("open-tube")).toHaveText("YT41000002");
  await expect(page.getByTestId("tube-count")).toHaveText("0 / 10");
  await expect(page.getByTestId("notice")).toContainText("YT41000001");
  await page.getByTestId("tab-history").click();
  await page.getByTestId("history-search").fill("YT41000001");
  await expect(page.getByTestId("history-YT41000001")).toContainText(/已封管|Sealed/);
});

test("the seal-early question follows the tube: it filled meanwhile, so the full prompt replaces it", async ({
  page,
}) => {
  await logIn(page);
  await fill(page, "YT42000001", 0, 8);
  await page.getByTestId("seal").click();
  const question = page.getByRole("alertdialog");
  await expect(question).toContainText("8/10");
  // Staff keep scanning instead of answering.
  await gun(page, person(8));
  await expect(question).toContainText("9/10");
  await gun(page, person(9));
  await expect(page.getByTestId("tube-count")).toHaveText("10 / 10");
  await expect(question).toHaveCount(0);
  await expect(page.getByTestId("seal-prompt")).toBeVisible();
});

test("the last registration is undone with one tap, as a void with the reason 撤销", async ({ page, request }) => {
  await logIn(page);
  await fill(page, "YT43000001", 0, 2);
  await page.getByTestId("undo").click();
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");
  await expect(page.getByTestId("notice")).toContainText("乙二");
  await expect(page.getByTestId("members")).not.toContainText("乙二");
  await expect(page.getByTestId("undo")).toHaveCount(0);
  await expect(page.getByTestId("scan-input")).toBeFocused();
  // The void reaches the server with its reason, and the history shows it.
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });
  expect((await serverSummary(request)).registrations).toBe(1);
  await page.getByTestId("tab-history").click();
  await page.getByTestId("history-search").fill("乙二");
  await expect(page.getByTestId("history-results")).toContainText("撤销");
});

test("void, transfer and repeat sampling take a preset reason with one tap, or another typed", async ({ page }) => {
  await logIn(page);
  await fill(page, "YT44000001", 0, 3);
  // Void with a preset chip.
  await page
    .getByTestId("member")
    .last()
    .getByRole("button", { name: /作废|Void/ })
    .click();
  const voiding = page.getByTestId("void-form");
  await expect(voiding.getByRole("radio").first()).toBeFocused();
  const confirmVoid = voiding.getByRole("button", { name: /确认作废|Void registration/ });
  await expect(confirmVoid).toBeDisabled();
  await voiding.getByRole("radio", { name: "扫错人" }).check();
  await confirmVoid.click();
  await expect(page.getByTestId("tube-count")).toHaveText("2 / 10");
  await expect(page.getByTestId("members")).not.toContainText("甲一");

  // Repeat sampling of someone already registered today: "other" with typed text.
  await gun(page, "YT44000001");
  await page
    .getByRole("alertdialog")
    .getByRole("button", { name: /确认封管|Seal short tube/ })
    .click();
  await gun(page, "YT44000002");
  await gun(page, person(1));
  const repeat = page.getByTestId("repeat-form");
  await expect(repeat).toBeVisible();
  await repeat.getByRole("radio", { name: "其他" }).check();
  await expect(repeat.getByLabel("其他原因")).toBeFocused();
  await page.keyboard.type("医生要求", { delay: 100 });
  await repeat.getByRole("button", { name: /继续登记|Register anyway/ }).click();
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");

  // Transfer in English: the chips are in English, the stored reason Chinese (shown back in English).
  await setLanguage(page, "en");
  await page.getByRole("button", { name: /^Transfer$/ }).click();
  const transfer = page.getByTestId("transfer-form");
  await transfer.getByLabel("New tube barcode").fill("YT44000003");
  await transfer.getByRole("radio", { name: "Tube contaminated" }).check();
  await transfer.getByRole("button", { name: /Transfer people/ }).click();
  await expect(page.getByTestId("open-tube")).toHaveText("YT44000003");
  await page.getByTestId("tab-history").click();
  await page.getByTestId("history-search").fill("YT44000002");
  await expect(page.getByTestId("history-results")).toContainText("Tube contaminated");
});

test("spoken cues: the name and place in the tube, and the pool-full cue, in Chinese", async ({ page }) => {
  // What the app asks the speech engine to say (the engine itself is the device's: headless Chromium has no voice).
  await page.addInitScript(() => {
    const said: { text: string; lang: string }[] = [];
    (window as unknown as { said: typeof said }).said = said;
    const speak = speechSynthesis.speak.bind(speechSynthesis);
    speechSynthesis.speak = (utterance: SpeechSynthesisUtterance) => {
      said.push({ text: utterance.text, lang: utterance.lang });
      speak(utterance);
    };
  });
  const said = () => page.evaluate(() => (window as unknown as { said: { text: string; lang: string }[] }).said);
  await logIn(page);
  await gun(page, "YT45000001");
  await gun(page, person(0));
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");
  // Off until chosen.
  expect(await said()).toEqual([]);
  await page.getByTestId("menu-button").click();
  await page.getByTestId("voice-option").check();
  await page.getByTestId("menu-button").click();
  for (let i = 1; i < 10; i++) await gun(page, person(i));
  await expect(page.getByTestId("tube-count")).toHaveText("10 / 10");
  // The cue follows the row's paint: on a busy machine it may come a moment after the counter.
  await expect.poll(async () => (await said()).length).toBe(9);
  const spoken = await said();
  expect(spoken[0]).toEqual({ text: "乙二 2", lang: "zh-CN" });
  expect(spoken.at(-1)).toEqual({ text: "癸十 10，10人满，换管", lang: "zh-CN" });
  expect(spoken).toHaveLength(9);
});

test("manual entry: a refused entry puts the cursor on the wrong field, and its error goes once the field changes", async ({
  page,
}) => {
  await logIn(page);
  await gun(page, "YT46000001");
  await page.getByRole("button", { name: /^(手动录入|Manual entry)$/ }).click();
  const form = page.getByTestId("resident-form");
  // Full-width digits from a Chinese input method are accepted as they are normalised.
  await form.getByLabel(/证件号码|Document number/).fill("１１０１０５１９４９１２３１００２Ｘ");
  await expect(page.getByTestId("doc-hint")).toHaveText("✓");
  await form.getByLabel(/姓名|Name/).fill("张三");
  await form.getByLabel(/手机号|Mobile/).fill("12345");
  await form.getByRole("button", { name: /^(登记|Register)$/ }).click();
  const problem = form.getByTestId("problem");
  await expect(problem).toContainText("手机号无效");
  await expect(form.getByLabel(/手机号|Mobile/)).toBeFocused();
  await expect(page.getByTestId("tube-count")).toHaveText("0 / 10");
  // The refusal was about the old number: it goes as soon as the number changes.
  await page.keyboard.press("Backspace");
  await expect(problem).toHaveCount(0);
  await form.getByLabel(/手机号|Mobile/).fill("+86 138-1234-5678");
  await form.getByRole("button", { name: /^(登记|Register)$/ }).click();
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");
  await expect(form).toHaveCount(0);
  await expect(page.getByTestId("members")).toContainText("110105********002X");
});

test("an empty tube opened by mistake is abandoned with a reason, and the next label opens a new tube", async ({
  page,
  request,
}) => {
  await logIn(page);
  await gun(page, "YT47000001");
  await expect(page.getByTestId("open-tube")).toHaveText("YT47000001");
  // An empty tube cannot be sealed: its action bar offers to abandon it instead.
  await expect(page.getByTestId("seal")).toHaveCount(0);
  await page.getByTestId("abandon").click();
  const form = page.getByTestId("abandon-form");
  await expect(form.getByRole("radio").first()).toBeFocused();
  await form.getByRole("radio", { name: "扫错试管" }).check();
  await form.getByRole("button", { name: /确认放弃|Abandon tube/ }).click();
  await expect(page.getByTestId("open-tube")).toHaveCount(0);
  await expect(page.getByTestId("notice")).toContainText("YT47000001");
  await gun(page, "YT47000002");
  await expect(page.getByTestId("open-tube")).toHaveText("YT47000002");
  await gun(page, person(0));
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");
  // A tube with people in it offers sealing, not abandoning.
  await expect(page.getByTestId("abandon")).toHaveCount(0);
  // History says why and who; the server has the abandoned tube as void and counts one tube in use.
  await page.getByTestId("tab-history").click();
  await page.getByTestId("history-search").fill("YT47000001");
  await expect(page.getByTestId("history-YT47000001")).toContainText(/已放弃|abandoned/);
  await expect.poll(async () => (await serverSummary(request)).registrations, { timeout: 15_000 }).toBe(1);
});
