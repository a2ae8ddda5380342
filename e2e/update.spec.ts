// Safe updates: build A is served, then build B on the same origin. The new version waits; accepted while a tube is
// open, it is deferred until the tube is sealed, then applies by itself — the version changes and no data is lost.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "@playwright/test";
import { type ServerProcess, startServerProcess } from "../src/server/serverProcess";
import { expect, test } from "./fixtures";
import { DEMO_ACCOUNT, logIn, scan, unlock, waitForServiceWorker } from "./helpers";

const root = path.resolve(import.meta.dirname, "..");
const port = 18_600 + Math.floor(Math.random() * 300);
const base = `http://localhost:${port}`;
let buildB = "";

test.beforeAll(async () => {
  // Build A is the suite's own production build (dist/); build B is the same code labelled e2e-b.
  buildB = path.join(mkdtempSync(path.join(tmpdir(), "samplepoint-build-b-")), "dist");
  execFileSync("npx", ["vite", "build", "--outDir", buildB, "--emptyOutDir", "--logLevel", "warn"], {
    cwd: root,
    env: { ...process.env, APP_BUILD: "e2e-b" },
    stdio: "inherit",
  });
});

async function shownVersion(page: Page): Promise<string> {
  await page.getByTestId("tab-settings").click();
  const version = (await page.getByTestId("app-version").textContent()) ?? "";
  await page.getByTestId("tab-station").click();
  return version;
}

test("a new version waits for the open tube to be sealed, then applies: the version changes and nothing is lost", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), "samplepoint-update-"));
  let server: ServerProcess = await startServerProcess(port, "update-a", {
    dataDir,
    env: { STATIC_DIR: path.join(root, "dist") },
  });
  try {
    await logIn(page, DEMO_ACCOUNT, `${base}/`);
    await waitForServiceWorker(page);
    const versionA = await shownVersion(page);
    expect(versionA).toMatch(/^\d+\.\d+\.\d+\+/);
    expect(versionA).not.toContain("e2e-b");

    // A tube is open with one person in it when the new version arrives.
    await scan(page, "UPDT00001");
    await scan(page, "SP1|更新前|PP|E99900001");
    await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");

    await server.stop();
    server = await startServerProcess(port, "update-b", { dataDir, env: { STATIC_DIR: buildB } });
    await page.getByTestId("tab-settings").click();
    await page.getByRole("button", { name: /检查更新|Check for updates/ }).click();
    const prompt = page.getByTestId("update-prompt");
    await expect(prompt).toBeVisible({ timeout: 60_000 });

    // Accepted with the tube open: deferred, the page is not reloaded.
    await page.getByTestId("update-now").click();
    await expect(page.getByTestId("update-deferred")).toContainText(/封管后|sealed/);
    await page.waitForTimeout(1_000);
    await page.getByTestId("tab-station").click();
    await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");
    expect(await shownVersion(page)).toBe(versionA);

    // Sealing the tube lets the update apply: the app reloads in the new version (and starts locked, as always).
    await page.getByTestId("seal").click();
    await page
      .getByRole("alertdialog")
      .getByRole("button", { name: /确认封管|Seal short tube/ })
      .click();
    await unlock(page);
    const versionB = await shownVersion(page);
    expect(versionB).toContain("+e2e-b");
    expect(versionB.split("+")[0]).toBe(versionA.split("+")[0]);

    // Nothing lost: the person and the sealed tube are in the history, and reach the server.
    await page.getByTestId("tab-history").click();
    await expect(page.getByTestId("history-results")).toContainText("UPDT00001");
    await page.getByTestId("tab-station").click();
    await page.getByRole("button", { name: /立即同步|Sync now/ }).click();
    await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0");
  } finally {
    await server.stop();
  }
});
