/**
 * npm run assets:pwa — renders the install assets from public/icon.svg and the built app, in the system Chromium:
 * PNG icons (192 and 512 "any", 512 maskable with the glyph inside the safe zone, 180 apple-touch-icon on an opaque
 * background) and two screenshots of the station screen (narrow and wide) for the richer install dialog. The outputs
 * are committed under public/; run again after changing the icon or the station screen (needs `npm run build`).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { signInAsDemo } from "../bench/demoSignIn";
import { startServerProcess } from "../src/server/serverProcess";

const root = path.resolve(import.meta.dirname, "..");
const out = (...parts: string[]) => path.join(root, "public", ...parts);
const svg = readFileSync(out("icon.svg"), "utf8");
const BRAND = "#0b57d0";

async function renderIcon(page: Page, size: number, file: string, options: { maskable?: boolean; opaque?: boolean }) {
  // Maskable: the launcher crops to any shape inside the central 80 % circle, so the glyph is drawn at 72 % on a
  // full-bleed brand background.
  const glyph = options.maskable ? Math.round(size * 0.72) : size;
  const background = options.maskable || options.opaque ? BRAND : "transparent";
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(
    `<html><body style="margin:0;background:${background};display:grid;place-items:center;width:${size}px;height:${size}px">
       <div style="width:${glyph}px;height:${glyph}px">${svg.replace("<svg ", `<svg width="${glyph}" height="${glyph}" `)}</div>
     </body></html>`,
  );
  writeFileSync(out("icons", file), await page.screenshot({ omitBackground: background === "transparent" }));
}

async function main() {
  mkdirSync(out("icons"), { recursive: true });
  mkdirSync(out("screenshots"), { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    await renderIcon(page, 192, "icon-192.png", {});
    await renderIcon(page, 512, "icon-512.png", {});
    await renderIcon(page, 512, "icon-512-maskable.png", { maskable: true });
    await renderIcon(page, 180, "apple-touch-icon-180.png", { opaque: true });
    await page.close();

    // Screenshots of the real app, on a throwaway server with the demo site.
    const server = await startServerProcess(8295, "pwa-assets");
    try {
      for (const [file, width, height] of [
        ["station-narrow.png", 540, 960],
        ["station-wide.png", 1280, 800],
      ] as const) {
        const context = await browser.newContext({ viewport: { width, height }, locale: "zh-CN" });
        const shot = await context.newPage();
        await signInAsDemo(shot, server.base);
        const input = shot.getByTestId("scan-input");
        const n = file.includes("narrow") ? 1 : 2;
        const people = ["张三", "李四", "王五"].map((name, i) => `SP1|${name}|PP|E${n}000000${i + 1}`);
        for (const text of [`SHOT0000${n}`, ...people]) {
          await input.fill(text);
          await input.press("Enter");
          await shot.waitForTimeout(150);
        }
        await shot.waitForTimeout(500);
        writeFileSync(out("screenshots", file), await shot.screenshot());
        await context.close();
      }
    } finally {
      await server.stop();
    }
  } finally {
    await browser.close();
  }
  console.log("wrote public/icons/*.png and public/screenshots/*.png");
}

await main();
