import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

/** The system Chromium (Debian's package): tests never download a browser. */
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const port = Number(process.env.E2E_PORT ?? 8181);
// A fresh database for every run; the server is the real one, serving the production build in dist/.
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), "samplepoint-e2e-"));
// Test workers load this file again: they must see the same directory (specs run the administration CLI on it).
process.env.E2E_DATA_DIR = dataDir;

export default defineConfig({
  testDir: "e2e",
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  // One retry: Chromium's offline emulation once let a push through to the server mid-test (offline-registration,
  // 1 failure in many runs); a retried pass is reported as flaky, a real break still fails twice.
  retries: 1,
  reporter: [["list"]],
  // Screenshots and traces the run saves, kept as artifacts.
  outputDir: "test-results",
  preserveOutput: "always",
  use: {
    baseURL: `http://localhost:${port}`,
    headless: true,
    launchOptions: {
      executablePath: chromium,
      // This machine has no outside network: stop Chromium's own background connections.
      args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
    trace: "retain-on-failure",
  },
  webServer: {
    command: "npx tsx src/server/server.ts",
    url: `http://localhost:${port}/api/health`,
    // The e2e server runs on the embedded SQLite default even where DATABASE_URL is set (for the PostgreSQL suites).
    env: {
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      HOST: "127.0.0.1",
      DATABASE_URL: "",
      // Two other systems' resident code formats (the README's worked examples): e2e/resident-formats.spec.ts.
      RESIDENT_FORMATS_FILE: path.resolve("e2e/resident-formats.json"),
    },
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
