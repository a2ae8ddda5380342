/**
 * npm run soak:scan -- --minutes 10 (not in CI): scans continuously in headless Chromium with a fake camera looping
 * codes, against the production build on a real server, and reports JS heap growth (after forced GC) and whether the
 * camera tracks are released when the scanner closes.
 */
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";
import { makeVideo, TRACK_RECORDER } from "../e2e/camera";
import { randomResidentCode } from "../scripts/frames/corpus";
import { mulberry32 } from "../scripts/frames/render";
import { startServerProcess } from "../src/server/serverProcess";

const { values: args } = parseArgs({
  options: { minutes: { type: "string", default: "10" }, port: { type: "string", default: "8191" } },
});
const minutes = Number(args.minutes);
const port = Number(args.port);

const server = await startServerProcess(port, "soak");
const base = server.base;

const rand = mulberry32(99);
const video = makeVideo([
  { text: null, seconds: 1 },
  { text: "YT0000000777", symbology: "code128", seconds: 1 },
  ...Array.from({ length: 10 }, () => ({ text: randomResidentCode(rand), symbology: "qr" as const, seconds: 0.5 })),
]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--disable-background-networking",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    `--use-file-for-fake-video-capture=${video}`,
  ],
});
try {
  const context = await browser.newContext({ baseURL: base });
  await context.addInitScript(TRACK_RECORDER);
  const page = await context.newPage();
  await page.goto("/");
  await page.getByLabel(/用户名|Username/).fill("demo");
  await page.getByLabel(/密码|Password/).fill("demo1234");
  await page.getByRole("button", { name: /^(登录|Sign in)$/ }).click();
  await page.getByTestId("open-scanner").click();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  const heapMb = async () => {
    await cdp.send("HeapProfiler.collectGarbage");
    const { metrics } = await cdp.send("Performance.getMetrics");
    return (metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0) / 2 ** 20;
  };
  // The decoder worker's heap (wasm memory included) is not in the page's JS heap: watch the browser's resident memory.
  const browserRssMb = () =>
    execFileSync("ps", ["-C", "chromium", "-o", "rss="], { encoding: "utf8" })
      .split("\n")
      .reduce((sum, line) => sum + (Number(line.trim()) || 0), 0) / 1024;
  await page.waitForTimeout(15_000); // past start-up allocations: worker, wasm, first registrations
  const start = await heapMb();
  const rssStart = browserRssMb();
  console.log(
    `after warm-up: page heap ${start.toFixed(1)} MB, browser RSS ${rssStart.toFixed(0)} MB; scanning for ${minutes} min`,
  );
  let peak = start;
  for (let m = 1; m <= minutes; m++) {
    await page.waitForTimeout(60_000);
    const now = await heapMb();
    peak = Math.max(peak, now);
    console.log(
      `minute ${m}: page heap ${now.toFixed(1)} MB (growth ${(now - start).toFixed(1)} MB), browser RSS ${browserRssMb().toFixed(0)} MB`,
    );
  }
  const end = await heapMb();
  await page.getByTestId("open-scanner").click(); // close the scanner
  await page.waitForTimeout(500);
  const tracks = await page.evaluate(() =>
    (window as unknown as { __cameraTracks: MediaStreamTrack[] }).__cameraTracks.map((t) => t.readyState),
  );
  console.log(
    `result: heap growth ${(end - start).toFixed(1)} MB over ${minutes} min (peak ${peak.toFixed(1)} MB); ` +
      `tracks after close: ${JSON.stringify(tracks)}; all released: ${tracks.every((t) => t === "ended")}`,
  );
} finally {
  await browser.close();
  await server.stop();
}
