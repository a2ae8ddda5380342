import { launchWithCamera, makeVideo } from "./camera";
import { type Browser, expect, type Page, test } from "./fixtures";
import { logIn, waitForServiceWorker } from "./helpers";

let browser: Browser | undefined;
test.afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

/** Records every Content-Security-Policy violation the page (or its workers, via the console) reports. */
const VIOLATION_RECORDER = `
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
  });
`;

async function violations(page: Page, consoleErrors: string[]): Promise<string[]> {
  const reported = await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
  return [...reported, ...consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))];
}

test("the app, the camera scanner and an offline cold start work under the strict CSP, with no violation", async () => {
  const info = test.info();
  const video = makeVideo([
    { text: null, seconds: 1 },
    { text: "YTCSP0001", symbology: "code128", seconds: 2 },
    { text: null, seconds: 2 },
  ]);
  browser = await launchWithCamera(info, video, false);
  const context = await browser.newContext({ baseURL: info.project.use.baseURL });
  await context.addInitScript(VIOLATION_RECORDER);
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  const response = await page.goto("/");
  const csp = response?.headers()["content-security-policy"] ?? "";
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp).not.toContain("unsafe-inline");
  expect(response?.headers()["x-content-type-options"]).toBe("nosniff");

  await logIn(page);
  await waitForServiceWorker(page);
  // The camera scanner: its decoder worker compiles WebAssembly under 'wasm-unsafe-eval' and reads the tube label.
  await page.getByTestId("open-scanner").click();
  await expect(page.getByTestId("scanner")).toHaveAttribute("data-engine", /zxing-wasm|native/);
  await expect(page.getByTestId("open-tube")).toHaveText("YTCSP0001", { timeout: 30_000 });
  expect(await violations(page, consoleErrors)).toEqual([]);

  // An offline cold start: the service worker serves the app shell, still under the policy.
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId("lock-screen")).toBeVisible({ timeout: 30_000 });
  expect(await violations(page, consoleErrors)).toEqual([]);
  await context.setOffline(false);

  // The desk console is covered too.
  const desk = await page.request.get("/console/");
  expect(desk.headers()["content-type"]).toContain("text/html");
  expect(desk.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
});
