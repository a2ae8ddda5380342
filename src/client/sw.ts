/**
 * The service worker: precaches the app shell (so the station opens with no network), serves index.html for
 * navigations (resident.html for the residents' self-service page). It does not upload: resident data on the device
 * is encrypted under a key that exists only while the app is open and unlocked (src/client/data/dataKey.ts), so the
 * queue waits for the next unlock (README "Security").
 */
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";

/** The parts of the service-worker scope used here (the app's TypeScript setup has DOM types, not WebWorker ones). */
declare const self: {
  __WB_MANIFEST: (string | { url: string; revision: string | null })[];
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  skipWaiting(): Promise<void>;
};

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// API calls always go to the network: sync must see the real server, never a cached answer.
// The residents' self-service page (its family codes must open with no network after one visit) is its own document.
registerRoute(new NavigationRoute(createHandlerBoundToURL("/resident.html"), { allowlist: [/^\/resident\/?$/] }));
// The desk console and the residents' status page are documents of their own, not the station app.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL("/index.html"), {
    denylist: [/^\/api\//, /^\/admin/, /^\/console/, /^\/status/, /^\/resident/],
  }),
);
// The first install takes control of the open page at once, so it works offline after one visit.
clientsClaim();

// "prompt" updates: a new version waits until the page asks for it (never mid-tube).
self.addEventListener("message", (event) => {
  if ((event.data as { type?: string } | null)?.type === "SKIP_WAITING") void self.skipWaiting();
});
