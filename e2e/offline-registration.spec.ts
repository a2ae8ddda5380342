import { expect, test } from "./fixtures";
import { logIn, scan, serverSummary, unlock, waitForServiceWorker } from "./helpers";

test("registers three residents with the network cut, survives a reload offline, and syncs exactly once", async ({
  page,
  context,
  request,
}) => {
  // Other specs share the server: count from what it holds now.
  const before = await serverSummary(request);
  await logIn(page);
  await waitForServiceWorker(page);

  await scan(page, "YT00000001");
  await expect(page.getByTestId("open-tube")).toHaveText("YT00000001");
  await expect(page.getByTestId("tube-count")).toHaveText("0 / 10");

  await context.setOffline(true);
  await scan(page, "SP1|张三|ID|11010519491231002X|13812345678");
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");
  await scan(page, "SP1|阿依古丽·买买提|ID|440524188001010014");
  await expect(page.getByTestId("tube-count")).toHaveText("2 / 10");
  // A bare ID number: staff type the name.
  await scan(page, "110101200001011232");
  const form = page.getByTestId("resident-form");
  await form.getByLabel(/姓名|Name/).fill("𠮷田");
  await form.getByRole("button", { name: /登记|Register/ }).click();
  await expect(page.getByTestId("tube-count")).toHaveText("3 / 10");

  // ID numbers are masked in the list: first 6 and last 4.
  await expect(page.getByTestId("members")).toContainText("110105********002X");
  await expect(page.getByTestId("members")).not.toContainText("11010519491231002X");

  // Reload with the network still off: the service worker serves the app and the data is still there.
  await page.reload();
  await unlock(page);
  await expect(page.getByTestId("tube-count")).toHaveText("3 / 10");
  // Nothing has left the phone: the tube and the three registrations wait (no service worker uploads behind the
  // app's back: the queue is encrypted under a key only the unlocked page holds).
  const pending = page.getByTestId("pending-count");
  await expect(pending).toHaveAttribute("data-pending", "4");
  expect((await serverSummary(request)).registrations).toBe(before.registrations);

  await context.setOffline(false);
  await expect(pending).toHaveAttribute("data-pending", "0", { timeout: 45_000 });
  const summary = await serverSummary(request);
  expect(summary).toMatchObject({ tubes: before.tubes + 1, registrations: before.registrations + 3 });

  // Syncing again changes nothing on the server.
  await page.getByRole("button", { name: /立即同步|Sync now/ }).click();
  await expect(pending).toHaveAttribute("data-pending", "0");
  expect(await serverSummary(request)).toMatchObject({
    tubes: before.tubes + 1,
    registrations: before.registrations + 3,
  });
});
