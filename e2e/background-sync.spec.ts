import { expect, test } from "./fixtures";
import { logIn, scan, serverSummary, waitForServiceWorker } from "./helpers";

test("the service worker uploads registrations made offline through Background Sync, with the app closed", async ({
  page,
  context,
  request,
  baseURL,
}) => {
  await logIn(page);
  await waitForServiceWorker(page);
  await scan(page, "BGSYNC001");
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });
  const before = await serverSummary(request);

  // Offline: two registrations; the push fails for want of a network, and the app asks for a background sync.
  await context.setOffline(true);
  await scan(page, "SP1|周九|PP|E77700001");
  await scan(page, "SP1|吴十|PP|E77700002");
  await expect(page.getByTestId("tube-count")).toHaveText("2 / 10");
  await page.getByRole("button", { name: /立即同步|Sync now/ }).click();
  // The page's push fails for want of a network, and it registers a background sync. (Chromium's offline emulation
  // covers pages, not the service worker: the browser may fire the sync at once — either way, only the service
  // worker can have uploaded these two.)
  const uploaded = async () => (await serverSummary(request)).registrations === before.registrations + 2;
  await expect
    .poll(async () => {
      const tags = await page.evaluate(async () => {
        const registration = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & {
          sync: { getTags(): Promise<string[]> };
        };
        return registration.sync.getTags();
      });
      return tags.includes("samplepoint-sync") || (await uploaded());
    })
    .toBe(true);

  // The app is closed; then the network comes back. Only the service worker is left to upload: Chromium fires
  // its sync event when connectivity returns.
  await page.close();
  await context.setOffline(false);
  const deadline = Date.now() + 5_000;
  while (!(await uploaded()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  if (!(await uploaded())) {
    // Not fired yet: send the event the browser sends (as DevTools' "sync" button does), from a page of no origin.
    const blank = await context.newPage();
    const cdp = await context.newCDPSession(blank);
    const registrations: { registrationId: string; scopeURL: string }[] = [];
    cdp.on("ServiceWorker.workerRegistrationUpdated", (event) => registrations.push(...event.registrations));
    await cdp.send("ServiceWorker.enable");
    await expect.poll(() => registrations.some((r) => r.scopeURL.startsWith(baseURL ?? ""))).toBe(true);
    const ours = registrations.find((r) => r.scopeURL.startsWith(baseURL ?? ""));
    await cdp.send("ServiceWorker.dispatchSyncEvent", {
      origin: new URL(baseURL ?? "").origin,
      registrationId: ours?.registrationId ?? "",
      tag: "samplepoint-sync",
      lastChance: false,
    });
  }
  await expect
    .poll(async () => (await serverSummary(request)).registrations, { timeout: 30_000 })
    .toBe(before.registrations + 2);
});
