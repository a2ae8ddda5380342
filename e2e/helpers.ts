import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import {
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  chromium,
  expect,
  type Page,
  type TestInfo,
} from "@playwright/test";
import { randomResidentCode } from "../scripts/frames/corpus";
import { mulberry32 } from "../scripts/frames/render";

export interface Account {
  username: string;
  password: string;
  siteCode: string;
}

export const DEMO_ACCOUNT: Account = { username: "demo", password: "demo1234", siteCode: "DEMO" };

let current: Account = DEMO_ACCOUNT;
/** The account (and site) the running test works with; e2e/fixtures.ts gives each test its own. */
export const account = (): Account => current;
export function useAccount(next: Account): void {
  current = next;
}

export const PIN = "2468";

/** Signs in as the test's collector and sets the app-lock PIN that first sign-in asks for (at `url`: another server). */
export async function logIn(page: Page, as: Account = account(), url = "/") {
  await page.goto(url);
  await page.getByLabel(/用户名|Username/).fill(as.username);
  await page.getByLabel(/密码|Password/).fill(as.password);
  await page.getByRole("button", { name: /^(登录|Sign in)$/ }).click();
  await page.getByLabel(/^(PIN)$/).fill(PIN);
  await page.getByLabel(/再次输入 PIN|PIN again/).fill(PIN);
  await page.getByRole("button", { name: /保存 PIN|Save PIN/ }).click();
  await expect(page.getByTestId("scan-input")).toBeVisible();
}

/** The app starts locked after a reload or restart: unlock it with the PIN. */
export async function unlock(page: Page, pin = PIN) {
  await expect(page.getByTestId("lock-screen")).toBeVisible();
  await page.getByTestId("lock-screen").getByLabel("PIN").fill(pin);
  await page.getByRole("button", { name: /解锁|Unlock/ }).click();
}

/**
 * Sideways scroll: the page's width against the viewport's, and the elements inside `root` that reach past the
 * viewport's right edge (in page coordinates, to name the culprit when there is one).
 */
export async function horizontalOverflow(page: Page, root = "body") {
  return page.evaluate((selector) => {
    const width = window.innerWidth;
    const outside = Array.from(document.querySelectorAll(`${selector}, ${selector} *`))
      .map((el) => ({ el, right: el.getBoundingClientRect().right + window.scrollX }))
      .filter(({ right }) => right > width + 0.5)
      .map(({ el, right }) => `${el.tagName.toLowerCase()}.${el.className}: ${Math.round(right)}`);
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: width, outside: outside.slice(0, 5) };
  }, root);
}

/** Waits until the service worker controls the page, so that the app loads with the network off. */
export async function waitForServiceWorker(page: Page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
}

/** Switches the app's language through the top bar's menu (before sign-in: the top bar's own switch). */
export async function setLanguage(page: Page, lang: "zh" | "en") {
  const current = await page.evaluate(() => document.documentElement.lang);
  if ((lang === "en") === current.startsWith("en")) return;
  const menu = page.getByTestId("menu-button");
  if (await menu.isVisible()) await menu.click();
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", lang === "en" ? "en" : "zh-CN");
}

/** A scanner gun's scan: keystrokes 8 ms apart, then Enter, into whatever has focus (Chinese characters arrive as
 * text input, as from a gun in its Unicode mode). */
export async function gun(page: Page, code: string) {
  await page.keyboard.type(code, { delay: 8 });
  await page.keyboard.press("Enter");
}

export async function scan(page: Page, text: string) {
  const input = page.getByTestId("scan-input");
  await input.fill(text);
  await input.press("Enter");
}

/** A token of the test's site for checking what the server holds (a device of its own). */
export async function checkerToken(request: APIRequestContext, as: Account = account()): Promise<string> {
  const { username, password } = as;
  const login = await request.post("/api/v1/auth/login", {
    data: { username, password, deviceId: "e2e-checker-device" },
  });
  expect(login.ok()).toBe(true);
  return (await login.json()).token;
}

/** The site summary as the server sees it, through the API with a token of its own. */
export async function serverSummary(request: APIRequestContext, as: Account = account()) {
  const token = await checkerToken(request, as);
  const res = await request.get(`/api/v1/sites/${as.siteCode}/summary`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.ok()).toBe(true);
  return res.json() as Promise<{ tubes: number; registrations: number }>;
}

/** `count` distinct residents (a seed gives the same ones), each with a phone. */
export function residents(count: number, seed: number): { code: string; docNumber: string; phone: string }[] {
  const rand = mulberry32(seed);
  const out: { code: string; docNumber: string; phone: string }[] = [];
  while (out.length < count) {
    const code = randomResidentCode(rand);
    const [, , , docNumber, phone] = code.split("|");
    if (!phone || out.some((p) => p.docNumber === docNumber)) continue;
    out.push({ code, docNumber: docNumber as string, phone });
  }
  return out;
}

/**
 * Everything the app's IndexedDB holds, read raw in the page with the browser's own IndexedDB API (none of the app's
 * code): every record of every store, Blobs read as text, binary fields decoded as UTF-8 and as UTF-16.
 */
export async function rawDatabaseText(page: Page): Promise<{ text: string; records: number; stores: string[] }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open("samplepoint");
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const parts: string[] = [];
    let records = 0;
    const visit = async (value: unknown): Promise<void> => {
      if (value instanceof Blob) parts.push(await value.text());
      else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
        const bytes = value instanceof ArrayBuffer ? value : value.buffer;
        parts.push(new TextDecoder().decode(bytes), new TextDecoder("utf-16le").decode(bytes));
      } else if (Array.isArray(value)) for (const v of value) await visit(v);
      else if (value && typeof value === "object") for (const v of Object.values(value)) await visit(v);
      else parts.push(String(value));
    };
    const stores = Array.from(db.objectStoreNames);
    for (const name of stores) {
      const all = await new Promise<unknown[]>((resolve, reject) => {
        const req = db.transaction(name).objectStore(name).getAll();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      records += all.length;
      for (const record of all) await visit(record);
    }
    db.close();
    return { text: parts.join("\n"), records, stores };
  });
}

/** A desk computer signed in to the console (zh-CN). */
export async function consoleSignIn(browser: Browser, username: string, password: string) {
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await desk.goto("/console/");
  await desk.getByLabel(/用户名/).fill(username);
  await desk.getByLabel(/密码/).fill(password);
  await desk.getByRole("button", { name: /^登录$/ }).click();
  return desk;
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function accessible(page: Page, where: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    serious.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    `axe on ${where}`,
  ).toEqual([]);
}

/** A screenshot of the viewport saved in the test's output folder and attached to the report. */
export async function shot(page: Page, info: TestInfo, name: string) {
  const file = info.outputPath(`${name}.png`);
  await page.screenshot({ path: file });
  await info.attach(name, { path: file, contentType: "image/png" });
}

/** Chromium with a persistent profile of its own, for installability checks (Chrome says "in-incognito" otherwise). */
export function launchPersistentProfile(baseURL: string | undefined): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(path.join(tmpdir(), "samplepoint-install-")), {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    baseURL,
    args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/** Chrome's view of the page as an app: no installability or manifest errors; the manifest's address and content. */
export async function installableManifest(context: BrowserContext, page: Page, request: APIRequestContext) {
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = (await cdp.send("Page.getInstallabilityErrors")) as {
    installabilityErrors: { errorId: string }[];
  };
  expect(installabilityErrors).toEqual([]);
  const { url, errors } = (await cdp.send("Page.getAppManifest")) as { url: string; errors: unknown[] };
  expect(errors).toEqual([]);
  return { url, manifest: await (await request.get(url)).json() };
}
