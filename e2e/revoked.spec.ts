import { execFileSync } from "node:child_process";
import { expect, test } from "./fixtures";
import { account, logIn, scan, serverSummary } from "./helpers";

/** Runs the administration CLI on the e2e server's store (SQLite in WAL mode: safe beside the running server). */
function cli(...args: string[]): string {
  return execFileSync(process.execPath, ["--import", "tsx", "src/server/cli.ts", ...args], {
    env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR ?? "", DATABASE_URL: "" },
    encoding: "utf8",
  });
}

test("a revoked device keeps its unsynced registrations, asks for the password, and then uploads them", async ({
  page,
  context,
  request,
}) => {
  await logIn(page);
  const before = await serverSummary(request);
  const deviceId = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const open = indexedDB.open("samplepoint");
        open.onsuccess = () => {
          const get = open.result.transaction("meta").objectStore("meta").get("deviceId");
          get.onsuccess = () => resolve(get.result.value);
        };
      }),
  );
  expect(cli("revoke-device", deviceId)).toContain("1 token(s) revoked");

  // Offline work while the token is already revoked on the server.
  await context.setOffline(true);
  await scan(page, "YT20000001");
  await scan(page, "SP1|张三|ID|11010519491231002X");
  await scan(page, "SP1|李四|ID|440524188001010014");
  await expect(page.getByTestId("tube-count")).toHaveText("2 / 10");

  // Back online (the `online` event starts a sync): the push gets 401; the app keeps both registrations and asks for
  // the password.
  await context.setOffline(false);
  await expect(page.getByLabel(/密码|Password/)).toBeVisible();
  expect(await serverSummary(request)).toMatchObject({ registrations: before.registrations });

  await page.getByLabel(/密码|Password/).fill(account().password);
  await page.getByRole("button", { name: /^(登录|Sign in)$/ }).click();
  await expect(page.getByTestId("scan-input")).toBeVisible();
  await expect(page.getByTestId("tube-count")).toHaveText("2 / 10");
  await expect.poll(async () => (await serverSummary(request)).registrations).toBe(before.registrations + 2);
});
