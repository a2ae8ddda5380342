/**
 * The service worker: precaches the app shell (so the station opens with no network), serves index.html for
 * navigations, and — where the browser has Background Sync (Chromium; not Safari or Firefox, where the page's own
 * triggers suffice) — uploads the queue itself when connectivity returns, even with the app closed. The upload is the
 * app's own outbox pass, holding the same Web Lock as the pages, so it never runs beside a page's pass.
 */
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { BACKGROUND_SYNC_TAG, SYNCED_MESSAGE } from "./sync/backgroundSync";
import { SyncLoop } from "./sync/outbox";

/** The parts of the service-worker scope used here (the app's TypeScript setup has DOM types, not WebWorker ones). */
interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface SyncEventLike extends ExtendableEventLike {
  tag: string;
  lastChance: boolean;
}
declare const self: {
  __WB_MANIFEST: (string | { url: string; revision: string | null })[];
  addEventListener(type: "sync", listener: (event: SyncEventLike) => void): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { matchAll(options: { type: "window" }): Promise<{ postMessage(message: unknown): void }[]> };
};

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// API calls always go to the network: sync must see the real server, never a cached answer.
// The administrator's page is its own document, not the station app.
registerRoute(new NavigationRoute(createHandlerBoundToURL("/index.html"), { denylist: [/^\/api\//, /^\/admin/] }));
// The first install takes control of the open page at once, so it works offline after one visit.
clientsClaim();

// "prompt" updates: a new version waits until the page asks for it (never mid-tube).
self.addEventListener("message", (event) => {
  if ((event.data as { type?: string } | null)?.type === "SKIP_WAITING") void self.skipWaiting();
});

self.addEventListener("sync", (event) => {
  if (event.tag !== BACKGROUND_SYNC_TAG) return;
  event.waitUntil(uploadQueue(event.lastChance));
});

async function uploadQueue(lastChance: boolean): Promise<void> {
  const loop = new SyncLoop();
  await loop.syncNow();
  const status = loop.getStatus();
  // Pages update their counters and apply pulled events.
  for (const client of await self.clients.matchAll({ type: "window" })) client.postMessage({ type: SYNCED_MESSAGE });
  // Still failing (offline again, server down): reject, so the browser tries this sync again later.
  if (!lastChance && (status.phase === "offline" || (status.phase === "error" && status.retryAt))) {
    throw new Error(`background sync: ${status.lastError ?? status.phase}`);
  }
}
