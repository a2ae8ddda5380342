/**
 * npm run bench:scan:worker — decode time inside the decoder worker in headless Chromium (system Chromium), over the
 * same seeded corpus as bench:scan. Builds a small bench page with Vite, serves it on loopback, prints per engine and
 * resolution: frames, success, p50/p95 ms inside the worker and p50 page↔worker round trip.
 */
import { createReadStream, existsSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";
import { build } from "vite";
import type { WorkerBenchFrame } from "./worker/main";

const { values: args } = parseArgs({
  options: {
    seed: { type: "string", default: "20210801" },
    frames: { type: "string", default: "60" },
    json: { type: "boolean", default: false },
  },
});

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
    console.log(`worker bench — headless Chromium ${browser.version()}, ${Number(args.frames) * 2} frames per engine`);
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
      [Number(args.seed), Number(args.frames), engine] as const,
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
} finally {
  await browser.close();
  server.close();
}
