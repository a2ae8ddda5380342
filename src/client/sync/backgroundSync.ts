/**
 * Background Sync, page side: after a push fails for want of a network, ask the service worker to upload when
 * connectivity returns — even if the app is closed by then. Browsers without it (Safari, Firefox) simply skip this;
 * the page's own triggers (start, online, visible, interval, on demand) cover them.
 */
export const BACKGROUND_SYNC_TAG = "samplepoint-sync";
/** Posted by the service worker to open pages after it synced. */
export const SYNCED_MESSAGE = "samplepoint-synced";

interface SyncManagerLike {
  register(tag: string): Promise<void>;
  getTags(): Promise<string[]>;
}

export async function requestBackgroundSync(): Promise<boolean> {
  try {
    if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) return false;
    const registration = (await navigator.serviceWorker.getRegistration()) as
      | (ServiceWorkerRegistration & { sync?: SyncManagerLike })
      | undefined;
    if (!registration?.sync) return false;
    await registration.sync.register(BACKGROUND_SYNC_TAG);
    return true;
  } catch {
    // Not allowed here (no permission, inside the worker itself, …): the page's triggers remain.
    return false;
  }
}

/** Calls `onSynced` whenever the service worker reports a background upload. */
export function onBackgroundSynced(onSynced: () => void): void {
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("message", (event) => {
    if ((event.data as { type?: string } | null)?.type === SYNCED_MESSAGE) onSynced();
  });
}
