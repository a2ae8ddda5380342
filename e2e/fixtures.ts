/**
 * Every test gets a site of its own on the shared e2e server, so that phones of different tests never see each
 * other's residents and tubes through pull (they would: "already registered today"). The site and its collector are
 * made with the administration CLI's own commands on the server's SQLite store (WAL: safe beside the running server).
 */
import { test as base } from "@playwright/test";
import { runCommand } from "../src/server/cli/commands";
import { openStore, type Store } from "../src/server/db";
import { type Account, DEMO_ACCOUNT, useAccount } from "./helpers";

let sites = 0;

export const test = base.extend<{ siteAccount: Account }, { adminStore: Store }>({
  adminStore: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies as an object pattern
    async ({}, use) => {
      const dataDir = process.env.E2E_DATA_DIR;
      if (!dataDir) throw new Error("E2E_DATA_DIR is not set (playwright.config.ts sets it)");
      const store = await openStore({ dataDir });
      await use(store);
      await store.db.destroy();
    },
    { scope: "worker" },
  ],
  siteAccount: [
    async ({ adminStore }, use, testInfo) => {
      const siteCode = `E2E-${testInfo.workerIndex}-${++sites}-${Date.now().toString(36).toUpperCase()}`;
      const account: Account = { username: `e2e-${siteCode.toLowerCase()}`, password: "e2e-password-1", siteCode };
      const ctx = { store: adminStore, dataDir: process.env.E2E_DATA_DIR ?? "", actor: "e2e" };
      await runCommand(["add-site", siteCode, `测试点 ${sites}`, "--pool", "10"], ctx);
      await runCommand(
        [
          "add-staff",
          account.username,
          "测试员",
          "--site",
          siteCode,
          "--role",
          "collector",
          "--password",
          account.password,
        ],
        ctx,
      );
      useAccount(account);
      await use(account);
      useAccount(DEMO_ACCOUNT);
    },
    { auto: true },
  ],
});

export { type Browser, expect, type Page } from "@playwright/test";
