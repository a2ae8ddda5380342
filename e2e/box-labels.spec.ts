// Box labels against the real server: reserved at the desk console (a district admin chooses a site) and at the
// station's settings (360×740), previewed and printed as 50×30 mm labels (print media: size, code text, the barcode
// decoded from a screenshot by the station's own decoder), refused offline with a message in both languages; a printed
// code scanned at the station opens a box, and the server has it.
import { readFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import type { Locator } from "@playwright/test";
import { PNG } from "pngjs";
import { createZxingWasmEngine } from "../src/client/scan/engines/zxingWasm";
import { runCommand } from "../src/server/cli/commands";
import { type Browser, expect, type Page, test } from "./fixtures";
import { checkerToken, gun, logIn, setLanguage } from "./helpers";

const wasm = readFileSync(new URL("../node_modules/zxing-wasm/dist/reader/zxing_reader.wasm", import.meta.url));
const decoder = createZxingWasmEngine({
  binary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength),
});

/** 50×30 mm in CSS pixels (96 per inch). */
const LABEL_PX = { width: (50 * 96) / 25.4, height: (30 * 96) / 25.4 };

async function expectNoSeriousAxe(page: Page, where: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    serious.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    `axe on ${where}`,
  ).toEqual([]);
}

/** The preview's frame: its window, to see that printing is asked of it (the browser's dialog is not opened here). */
async function sheetFrame(page: Page) {
  await expect(page.getByTestId("label-sheet")).toBeVisible();
  const handle = await page.getByTestId("label-sheet").elementHandle();
  const frame = await handle?.contentFrame();
  if (!frame) throw new Error("the label sheet has no frame");
  await frame.waitForLoadState("load");
  await frame.evaluate(() => {
    window.print = () => {
      document.body.dataset.printed = String(Number(document.body.dataset.printed ?? 0) + 1);
    };
  });
  return frame;
}

/**
 * In print media: every label is 50×30 mm, one per page, with its code in text; the first label's screenshot decodes
 * to its code (saved under `shot`).
 */
async function checkPrinted(page: Page, codes: string[], shot: string) {
  await page.emulateMedia({ media: "print" });
  try {
    const labels = page.frameLocator("[data-testid=label-sheet]").locator(".box-label");
    await expect(labels).toHaveCount(codes.length);
    for (const [i, code] of codes.entries()) {
      const label = labels.nth(i);
      await expect(label.locator(".box-label-code")).toHaveText(code);
      const box = await label.boundingBox();
      expect(Math.abs((box?.width ?? 0) - LABEL_PX.width), `width of ${code}`).toBeLessThan(0.6);
      expect(Math.abs((box?.height ?? 0) - LABEL_PX.height), `height of ${code}`).toBeLessThan(0.6);
      if (i < codes.length - 1) {
        expect(await label.evaluate((el) => getComputedStyle(el).breakAfter)).toBe("page");
      }
    }
    expect(await decodeLabel(labels.first(), shot)).toEqual([codes[0]]);
  } finally {
    await page.emulateMedia({ media: null });
  }
}

async function decodeLabel(label: Locator, path: string): Promise<string[]> {
  const png = PNG.sync.read(await label.screenshot({ path }));
  const found = await decoder.decode({ width: png.width, height: png.height, data: new Uint8ClampedArray(png.data) });
  return found.map((c) => c.text);
}

async function deskAt(browser: Browser, username: string, password: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 3 });
  const desk = await context.newPage();
  await desk.goto("/console/");
  await desk.getByLabel(/用户名/).fill(username);
  await desk.getByLabel(/密码/).fill(password);
  await desk.getByRole("button", { name: /^登录$/ }).click();
  return desk;
}

test("a district admin reserves, previews and prints box labels at the desk; a site lead has their own site", async ({
  browser,
  adminStore,
  siteAccount,
}) => {
  test.setTimeout(120_000);
  const suffix = siteAccount.siteCode.slice(-6);
  const run = (...argv: string[]) =>
    runCommand(argv, { store: adminStore, dataDir: process.env.E2E_DATA_DIR ?? "", actor: "e2e" });
  const [district, other] = [`标签区${suffix}`, `他区${suffix}`];
  const site = `LB-${suffix}`;
  await run("add-site", site, "毓璜顶街道第一核酸采样点", "--district", district, "--street", "毓璜顶街道");
  await run("add-site", `LX-${suffix}`, "莱山一号点", "--district", other);
  const admin = { username: `labels-${suffix.toLowerCase()}`, password: "labels-password-1" };
  await run(
    "add-staff",
    admin.username,
    "标签区指挥部",
    "--role",
    "admin",
    "--district",
    district,
    "--password",
    admin.password,
  );

  const desk = await deskAt(browser, admin.username, admin.password);
  await desk.getByRole("link", { name: "打印箱签" }).click();
  await expect(desk).toHaveURL(/\/console\/labels$/);
  // The district's sites only.
  const choice = desk.getByTestId("labels-site");
  await expect(choice.locator("option")).toHaveText([`${site} · 毓璜顶街道第一核酸采样点`]);
  await desk.getByTestId("labels-count").fill("0");
  await desk.getByTestId("labels-reserve").click();
  await expect(desk.getByTestId("labels-error")).toHaveText("张数须为 1 到 500 的整数");
  await desk.getByTestId("labels-count").fill("3");
  await desk.getByTestId("labels-reserve").click();
  await expect(desk.getByTestId("labels-reserved")).toContainText(
    `已为 ${site} 毓璜顶街道第一核酸采样点 领取 3 个箱号`,
  );
  const frame = await sheetFrame(desk);
  const codes = await frame.locator(".box-label-code").allTextContents();
  expect(codes).toHaveLength(3);
  for (const code of codes) expect(code).toMatch(/^BOX-[0-9A-Z]{3}-000[1-3]$/);
  await expect(frame.locator(".box-label-site").first()).toHaveText(site);
  await expect(frame.locator(".box-label-name").first()).toHaveText("毓璜顶街道第一核酸采样点");
  await expect(frame.locator(".box-label-day").first()).toHaveText(/^\d{4}-\d{2}-\d{2}$/);
  await expectNoSeriousAxe(desk, "console labels (zh)");
  await desk.screenshot({ path: test.info().outputPath("console-labels-zh.png"), fullPage: true });

  await desk.getByTestId("labels-print").click();
  await expect.poll(() => frame.evaluate(() => document.body.dataset.printed)).toBe("1");
  await checkPrinted(desk, codes, test.info().outputPath("console-label-print.png"));

  await desk.getByRole("button", { name: "English" }).click();
  await expect(desk.getByRole("heading", { name: "Box labels" })).toBeVisible();
  await expectNoSeriousAxe(desk, "console labels (en)");
  await desk.screenshot({ path: test.info().outputPath("console-labels-en.png"), fullPage: true });

  // A site lead prints for their own site only.
  const lead = { username: `lead-${suffix.toLowerCase()}`, password: "lead-password-1" };
  await run("add-staff", lead.username, "组长", "--site", site, "--role", "site_lead", "--password", lead.password);
  const leadDesk = await deskAt(browser, lead.username, lead.password);
  await leadDesk.getByRole("link", { name: "打印箱签" }).click();
  await expect(leadDesk.getByTestId("labels-site").locator("option")).toHaveText([
    `${site} · 毓璜顶街道第一核酸采样点`,
  ]);
  await expect(leadDesk.getByTestId("labels-site")).toBeDisabled();
  await leadDesk.getByTestId("labels-count").fill("1");
  await leadDesk.getByTestId("labels-reserve").click();
  // The next number of the site: never a code given out before.
  await expect(leadDesk.getByTestId("labels-reserved")).toContainText(`${codes[0]?.slice(0, 8)}0004`);
});

test("station settings print box labels at 360×740, say why not offline, and a printed code opens a box", async ({
  browser,
  siteAccount,
  request,
}) => {
  test.setTimeout(120_000);
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 3 });
  const page = await context.newPage();
  await logIn(page, siteAccount);
  await page.getByTestId("tab-settings").click();
  const section = page.getByTestId("box-labels");
  await expect(section.getByRole("heading", { name: "打印箱签" })).toBeVisible();
  await section.getByTestId("box-labels-count").fill("2");
  await section.getByTestId("box-labels-reserve").click();
  await expect(section.getByTestId("box-labels-reserved")).toContainText("已领取 2 个箱号");
  const frame = await sheetFrame(page);
  const codes = await frame.locator(".box-label-code").allTextContents();
  expect(codes).toHaveLength(2);
  await expect(frame.locator(".box-label-site").first()).toHaveText(siteAccount.siteCode);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await section.scrollIntoViewIfNeeded();
  await expectNoSeriousAxe(page, "station settings with labels (zh)");
  await page.screenshot({ path: test.info().outputPath("station-labels-zh.png") });

  await section.getByTestId("box-labels-print").click();
  await expect.poll(() => frame.evaluate(() => document.body.dataset.printed)).toBe("1");
  await checkPrinted(page, codes, test.info().outputPath("station-label-print.png"));

  await setLanguage(page, "en");
  await page.getByTestId("box-labels").scrollIntoViewIfNeeded();
  await expect(section.getByRole("heading", { name: "Box labels" })).toBeVisible();
  await expectNoSeriousAxe(page, "station settings with labels (en)");
  await page.screenshot({ path: test.info().outputPath("station-labels-en.png") });

  // Offline: nothing is reserved, and the message says why in both languages.
  await context.setOffline(true);
  const problem = section.getByTestId("box-labels-problem");
  await expect(problem).toHaveAttribute("data-code", "offline");
  await expect(problem).toContainText("Needs the network: the server hands out box codes");
  await expect(problem).toContainText("需要联网：箱号由服务器统一分配，离线时不能打印箱签");
  await expect(section.getByTestId("box-labels-reserve")).toBeDisabled();
  await problem.scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath("station-labels-offline-en.png") });
  await setLanguage(page, "zh");
  await problem.scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath("station-labels-offline-zh.png") });
  await context.setOffline(false);
  await expect(problem).toHaveCount(0);

  // A printed label scanned with a gun at the boxes tab opens a box; the server has it after the sync.
  const printed = codes[1] as string;
  await page.getByTestId("tab-boxes").click();
  await expect(page.getByTestId("box-input")).toBeVisible();
  await gun(page, printed);
  await expect(page.getByTestId("open-box")).toHaveText(printed);
  const token = await checkerToken(request, siteAccount);
  await expect
    .poll(
      async () => {
        const res = await request.get(`/api/v1/sites/${siteAccount.siteCode}/boxes`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return ((await res.json()) as { code: string }[]).map((b) => b.code);
      },
      { timeout: 30_000 },
    )
    .toEqual([printed]);
});
