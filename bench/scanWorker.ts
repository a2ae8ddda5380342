/**
 * npm run bench:scan:worker — decode time inside the decoder worker in headless Chromium (system Chromium), over the
 * same seeded corpus as bench:scan. Builds a small bench page with Vite, serves it on loopback, prints per engine and
 * resolution: frames, success, p50/p95 ms inside the worker and p50 page↔worker round trip. Then 1280×720 camera
 * frames as the app hands them over (cropped to the guide box by the app's code, scaled to ≤ 960 px in the worker, the
 * engine the app picks), unthrottled and with the CPU throttled 4× (CDP Emulation.setCPUThrottlingRate: a
 * low-end Android phone; Chromium throttles a page's thread but not its workers, so the throttled run decodes the same
 * frames with the same crop, scaling and engine on the page's thread, beside an unthrottled page-thread run to compare).
 *
 *   npm run bench:scan:worker -- [--frames 60] [--seed 20210801] [--throttle 4] [--small] [--json]
 * --small: 8 frames per resolution (the CI smoke run); --throttle 1 skips the throttled run.
 */
import { createReadStream, existsSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";
import { build } from "vite";
import { MAX_DECODE_EDGE } from "../src/client/scan/decoderProtocol";
import { guideCrop } from "../src/client/scan/frameLoop";
import type { WorkerBenchFrame } from "./worker/main";

const { values: args } = parseArgs({
  options: {
    seed: { type: "string", default: "20210801" },
    frames: { type: "string" },
    throttle: { type: "string", default: "4" },
    small: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const framesPerResolution = Number(args.frames ?? (args.small ? 8 : 60));
const throttle = Number(args.throttle);
/** The camera-frame target: p50 decode of a 1280×720 frame as the app prepares it, at 4× CPU throttle. */
const CAMERA_P50_TARGET_MS = 40;

const guideSize = (width: number, height: number) => {
  const crop = guideCrop(width, height);
  return `${crop.width}x${crop.height}`;
};

const root = path.resolve(import.meta.dirname, "worker");
const outDir = path.resolve(import.meta.dirname, "../.tmp/bench-worker");

await build({ root, base: "./", logLevel: "warn", worker: { format: "es" }, build: { outDir, emptyOutDir: true } });

const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
const server = createServer((req, res) => {
  const file = path.join(
    outDir,
    decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/").replace(/^\/$/, "/index.html"),
  );
  if (!file.startsWith(outDir) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" });
  createReadStream(file).pipe(res);
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address();
const port = typeof address === "object" && address ? address.port : 0;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/index.html`);
  await page.waitForFunction(() => document.getElementById("status")?.textContent === "ready");
  const percentile = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  };
  if (!args.json) {
    console.log(`worker bench — headless Chromium ${browser.version()}, ${framesPerResolution * 2} frames per engine`);
    console.log("engine      resolution  frames success  worker p50  worker p95  round-trip p50");
  }
  for (const engine of ["zxing-wasm", "zxing-js"] as const) {
    const run = await page.evaluate(
      ([seed, frames, engine]) =>
        (
          window as unknown as {
            runWorkerBench: (
              s: number,
              f: number,
              e: string,
            ) => Promise<{ engine: string; frames: WorkerBenchFrame[] }>;
          }
        ).runWorkerBench(seed, frames, engine),
      [Number(args.seed), framesPerResolution, engine] as const,
    );
    for (const resolution of [...new Set(run.frames.map((f) => f.resolution))]) {
      const frames = run.frames.filter((f) => f.resolution === resolution);
      const withCode = frames.filter((f) => f.expected !== null);
      const row = {
        engine: run.engine,
        resolution,
        frames: frames.length,
        successRate: withCode.filter((f) => f.decoded.includes(f.expected as string)).length / withCode.length,
        workerP50Ms: percentile(
          frames.map((f) => f.decodeMs),
          0.5,
        ),
        workerP95Ms: percentile(
          frames.map((f) => f.decodeMs),
          0.95,
        ),
        roundTripP50Ms: percentile(
          frames.map((f) => f.roundTripMs),
          0.5,
        ),
      };
      if (args.json) console.log(JSON.stringify(row));
      else
        console.log(
          `${row.engine.padEnd(11)} ${resolution.padEnd(11)} ${String(row.frames).padStart(6)} ${(row.successRate * 100).toFixed(1).padStart(6)}% ${row.workerP50Ms.toFixed(2).padStart(10)} ${row.workerP95Ms.toFixed(2).padStart(11)} ${row.roundTripP50Ms.toFixed(2).padStart(15)}`,
        );
    }
  }

  // Camera frames as the app prepares them, unthrottled and then with the CPU throttled.
  const prepared = await page.evaluate(
    ([seed, count]) =>
      (window as unknown as { prepareCameraFrames: (s: number, c: number, w: number) => number }).prepareCameraFrames(
        seed,
        count,
        1280,
      ),
    [Number(args.seed), framesPerResolution] as const,
  );
  const cdp = await page.context().newCDPSession(page);
  if (!args.json) {
    console.log(
      `\n1280x720 camera frames as the app hands them over (guide box ${guideSize(1280, 720)}, scaled to ≤ ${MAX_DECODE_EDGE} px), ${prepared} frames`,
    );
    console.log("thread             CPU          engine      success  decode p50  decode p95  crop → result p50");
  }
  type CameraRun = { engine: string; frames: WorkerBenchFrame[] };
  type CameraWindow = {
    runCameraFrames: () => Promise<CameraRun>;
    runCameraFramesOnPage: (engine: string) => Promise<CameraRun>;
  };
  // In the worker, as in the app; then on the page's thread, where Chromium can throttle the CPU (not in workers).
  const inWorker = await page.evaluate(() => (window as unknown as CameraWindow).runCameraFrames());
  const runs: { thread: string; rate: number; run: CameraRun }[] = [
    { thread: "decoder worker", rate: 1, run: inWorker },
  ];
  for (const rate of throttle > 1 ? [1, throttle] : [1]) {
    await cdp.send("Emulation.setCPUThrottlingRate", { rate });
    const run = await page.evaluate(
      (engine) => (window as unknown as CameraWindow).runCameraFramesOnPage(engine),
      inWorker.engine,
    );
    runs.push({ thread: "page", rate, run });
  }
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  for (const { thread, rate, run } of runs) {
    const withCode = run.frames.filter((f) => f.expected !== null);
    const decodeMs = run.frames.map((f) => f.decodeMs);
    const row = {
      camera: true,
      thread,
      cpuSlowdown: rate,
      engine: run.engine,
      resolution: "1280x720",
      frames: run.frames.length,
      // Codes the guide box cuts off are not read: the app's worker would not see them either.
      successRate: withCode.filter((f) => f.decoded.includes(f.expected as string)).length / withCode.length,
      decodeP50Ms: percentile(decodeMs, 0.5),
      decodeP95Ms: percentile(decodeMs, 0.95),
      roundTripP50Ms: percentile(
        run.frames.map((f) => f.roundTripMs),
        0.5,
      ),
    };
    if (args.json) console.log(JSON.stringify(row));
    else
      console.log(
        `${thread.padEnd(18)} ${(rate === 1 ? "unthrottled" : `${rate}× slower`).padEnd(12)} ${row.engine.padEnd(11)} ${(row.successRate * 100).toFixed(1).padStart(6)}% ${row.decodeP50Ms.toFixed(2).padStart(10)} ${row.decodeP95Ms.toFixed(2).padStart(11)} ${row.roundTripP50Ms.toFixed(2).padStart(18)}${rate === 4 ? `   target p50 ≤ ${CAMERA_P50_TARGET_MS} ms` : ""}`,
      );
  }
} finally {
  await browser.close();
  server.close();
}
