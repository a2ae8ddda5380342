import { randomResidentCode } from "../scripts/frames/corpus";
import { mulberry32 } from "../scripts/frames/render";
import { launchWithCamera, makeVideo, TRACK_RECORDER } from "./camera";
import { type Browser, expect, type Page, test } from "./fixtures";
import { logIn, scan } from "./helpers";

let browser: Browser | undefined;
test.afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

async function openApp(videoFile: string, denyCamera = false): Promise<Page> {
  const info = test.info();
  browser = await launchWithCamera(info, videoFile, denyCamera);
  const context = await browser.newContext({ baseURL: info.project.use.baseURL });
  await context.addInitScript(TRACK_RECORDER);
  const page = await context.newPage();
  await logIn(page);
  return page;
}

const residents = (() => {
  const rand = mulberry32(42);
  return Array.from({ length: 10 }, () => randomResidentCode(rand));
})();

test("scans a tube label, then ten resident codes shown 0.4 s each, into that tube in one pass", async () => {
  const video = makeVideo([
    { text: null, seconds: 1 },
    { text: "YT20210801", symbology: "code128", seconds: 1 },
    ...residents.map((text) => ({ text, symbology: "qr" as const, seconds: 0.4 })),
    { text: null, seconds: 2 },
  ]);
  const page = await openApp(video);
  await page.getByTestId("open-scanner").click();
  await expect(page.getByTestId("scanner")).toHaveAttribute("data-engine", /zxing-wasm|native/);
  await expect(page.getByTestId("open-tube")).toHaveText("YT20210801", { timeout: 30_000 });
  await expect(page.getByTestId("tube-count")).toHaveText("10 / 10", { timeout: 30_000 });
  // Every resident once, in the order shown.
  const names = page.getByTestId("members").locator("li");
  await expect(names).toHaveCount(10);
  const shownDocs = residents.map((code) => code.split("|")[3] as string);
  const listed = await names.locator(".member-doc").allTextContents();
  // Newest first on the screen.
  expect(listed.map((doc) => doc.slice(-4))).toEqual(shownDocs.map((doc) => doc.slice(-4)).reverse());
  // The full tube asks to be sealed.
  await expect(page.getByTestId("notice").or(page.getByTestId("problem")).first()).toContainText(/封管|seal/);
});

test("registers a resident whose QR code is shown light on dark (a phone in dark mode)", async () => {
  const resident = residents[3] as string;
  const video = makeVideo([
    { text: null, seconds: 1 },
    { text: "YT20210803", symbology: "code128", seconds: 1 },
    { text: resident, inverted: true, seconds: 1.5 },
    { text: null, seconds: 3 },
  ]);
  const page = await openApp(video);
  await page.getByTestId("open-scanner").click();
  await expect(page.getByTestId("scanner")).toHaveAttribute("data-engine", /zxing-wasm|native/);
  await expect(page.getByTestId("open-tube")).toHaveText("YT20210803", { timeout: 30_000 });
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 10", { timeout: 30_000 });
  const doc = resident.split("|")[3] as string;
  await expect(page.getByTestId("members").locator("li .member-doc")).toHaveText([new RegExp(`${doc.slice(-4)}$`)]);
});

test("refuses a resident code shown where a tube is expected, with the message", async () => {
  const video = makeVideo([
    { text: null, seconds: 0.5 },
    { text: residents[0] as string, symbology: "qr", seconds: 1 },
    { text: null, seconds: 3 },
  ]);
  const page = await openApp(video);
  await page.getByTestId("open-scanner").click();
  const problem = page.getByTestId("problem");
  await expect(problem).toHaveAttribute("data-code", "wrong_kind", { timeout: 30_000 });
  await expect(problem).toContainText("此处需要试管条码");
  await expect(page.getByTestId("open-tube")).toHaveCount(0);
});

test("with the camera permission denied, says so and manual entry still registers a resident", async () => {
  const video = makeVideo([{ text: null, seconds: 1 }]);
  const page = await openApp(video, true);
  await page.getByTestId("open-scanner").click();
  await expect(page.getByTestId("camera-problem")).toHaveAttribute("data-code", "permission_denied");
  await expect(page.getByTestId("camera-problem")).toContainText("allow the camera");

  await scan(page, "YT20210802");
  await expect(page.getByTestId("open-tube")).toHaveText("YT20210802");
  await page.getByRole("button", { name: /手动录入|Manual entry/ }).click();
  const form = page.getByTestId("resident-form");
  await form.getByLabel(/证件号码|Document number/).fill("11010519491231002X");
  await form.getByLabel(/姓名|Name/).fill("张三");
  await form.getByRole("button", { name: /登记|Register/ }).click();
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");
});

test("releases the camera when the scanner closes and when the page is hidden", async () => {
  const video = makeVideo([{ text: null, seconds: 1 }]);
  const page = await openApp(video);
  const trackStates = () =>
    page.evaluate(() =>
      (window as unknown as { __cameraTracks: MediaStreamTrack[] }).__cameraTracks.map((t) => t.readyState),
    );

  await page.getByTestId("open-scanner").click();
  await expect.poll(trackStates).toEqual(["live"]);
  await page.getByTestId("open-scanner").click();
  await expect.poll(trackStates).toEqual(["ended"]);

  await page.getByTestId("open-scanner").click();
  await expect.poll(trackStates).toEqual(["ended", "live"]);
  await page.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await expect.poll(trackStates).toEqual(["ended", "ended"]);
});

test("releases the camera when the app locks", async () => {
  const page = await openApp(makeVideo([{ text: null, seconds: 1 }]));
  const trackStates = () =>
    page.evaluate(() =>
      (window as unknown as { __cameraTracks: MediaStreamTrack[] }).__cameraTracks.map((t) => t.readyState),
    );
  await page.getByTestId("open-scanner").click();
  await expect.poll(trackStates).toEqual(["live"]);
  await page.evaluate(() => localStorage.setItem("samplepoint.idleMs", "1000"));
  await page.keyboard.press("Shift");
  await expect(page.getByTestId("lock-screen")).toBeVisible({ timeout: 10_000 });
  await expect.poll(trackStates).toEqual(["ended"]);
});
