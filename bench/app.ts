/**
 * npm run bench:app — the production build's first load and its offline cold start, in headless Chromium against the
 * real server. Prints the bundle table (every JS chunk, the CSS and the decoder's wasm: raw and gzip sizes, loaded at
 * start or on first use, precached or not), the initial JavaScript (index.html's script and module preloads, gzip),
 * and the time from opening the app with the network off — a fresh browser process on the installed profile — to a
 * usable station screen (PIN entered, scan field ready), median of N runs.
 *
 *   npm run bench:app -- [--runs 7] [--small] [--port N] [--json]
 * --small: 2 cold starts (the CI smoke run). The server listens on a free port unless --port N.
 */
import { execSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { chromium } from "@playwright/test";
import { startServerProcess } from "../src/server/serverProcess";
import { DEMO_PIN, signInAsDemo } from "./demoSignIn";
import { portOption } from "./freePort";
import { median } from "./stats";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string" },
    small: { type: "boolean", default: false },
    port: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const runs = Number(args.runs ?? (args.small ? 2 : 7));
const PIN = DEMO_PIN;
const INITIAL_JS_BUDGET_KB = 150;
const COLD_START_BUDGET_MS = 1_500;
const root = path.resolve(import.meta.dirname, "..");
const dist = path.join(root, "dist");

execSync("node scripts/build-if-needed.mjs", { cwd: root, stdio: "inherit" });

const kb = (bytes: number) => bytes / 1024;

// --- The bundle ---
const indexHtml = readFileSync(path.join(dist, "index.html"), "utf8");
const initial = new Set(
  [
    ...indexHtml.matchAll(
      /<script[^>]+src="\/([^"]+\.js)"|<link rel="(?:modulepreload|stylesheet)"[^>]+href="\/([^"]+\.(?:js|css))"/g,
    ),
  ].map((m) => (m[1] ?? m[2]) as string),
);
const serviceWorker = readFileSync(path.join(dist, "sw.js"), "utf8");
const assets = readdirSync(path.join(dist, "assets"))
  .filter((name) => /\.(js|css|wasm)$/.test(name))
  .map((name) => {
    const file = `assets/${name}`;
    const bytes = readFileSync(path.join(dist, file));
    return {
      file,
      raw: statSync(path.join(dist, file)).size,
      gzip: gzipSync(bytes, { level: 9 }).length,
      initial: initial.has(file),
      precached: serviceWorker.includes(file),
    };
  })
  .sort((a, b) => Number(b.initial) - Number(a.initial) || b.gzip - a.gzip);
const initialGzip = assets.filter((a) => a.initial && a.file.endsWith(".js")).reduce((n, a) => n + a.gzip, 0);

// --- Offline cold start ---
const server = await startServerProcess(await portOption(args.port), "bench-app");
const profile = mkdtempSync(path.join(tmpdir(), "samplepoint-bench-app-"));
const launch = (offline: boolean) =>
  chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    offline,
    args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
const coldStarts: number[] = [];
try {
  // Installed once, online: sign in, set the PIN, let the service worker take over and precache everything.
  const setup = await launch(false);
  const page = setup.pages()[0] ?? (await setup.newPage());
  await signInAsDemo(page, server.base);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  // Every precached file is in the cache before going offline.
  await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active?.state === "activated");
  await setup.close();

  for (let run = 0; run < runs; run++) {
    const context = await launch(true);
    const cold = context.pages()[0] ?? (await context.newPage());
    const start = performance.now();
    await cold.goto(server.base);
    await cold.getByTestId("lock-screen").getByLabel("PIN").fill(PIN);
    await cold.getByRole("button", { name: /解锁|Unlock/ }).click();
    await cold.getByTestId("scan-input").waitFor();
    coldStarts.push(performance.now() - start);
    await context.close();
  }
} finally {
  await server.stop();
}

const result = {
  initialJsGzipKB: Number(kb(initialGzip).toFixed(1)),
  coldStartOfflineMedianMs: Math.round(median(coldStarts)),
  coldStartsMs: coldStarts.map(Math.round),
  assets,
};
if (args.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.log("bundle (production build, gzip -9)");
  console.log("file                                           raw KB   gzip KB   loaded        precached");
  for (const a of assets) {
    console.log(
      `${a.file.padEnd(44)} ${kb(a.raw).toFixed(1).padStart(9)} ${kb(a.gzip).toFixed(1).padStart(9)}   ${(a.initial ? "at start" : "on first use").padEnd(13)} ${a.precached ? "yes" : "no"}`,
    );
  }
  console.log(`initial JavaScript: ${result.initialJsGzipKB} KB gzip (target ≤ ${INITIAL_JS_BUDGET_KB})`);
  console.log(
    `offline cold start to a usable station: median ${result.coldStartOfflineMedianMs} ms of ${runs} (${result.coldStartsMs.join(", ")}) (target ≤ ${COLD_START_BUDGET_MS})`,
  );
}
