/**
 * New versions of the app. The service worker of a new build installs in the background and waits ("prompt"
 * strategy); staff are told, and the switch — a reload — happens only between tubes: never while this device's tube
 * is open and unsealed, nor while a sync is in flight. A deferred update applies by itself once both are over.
 */
import { registerSW } from "virtual:pwa-register";

export { type UpdateBlocker, updateBlocker } from "./updatePolicy";

export interface UpdateState {
  /** A new version is installed and waiting. */
  waiting: boolean;
  /** Staff asked for it; it applies as soon as nothing blocks it. */
  accepted: boolean;
}

const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000;

let state: UpdateState = { waiting: false, accepted: false };
const listeners = new Set<() => void>();
let updateServiceWorker: ((reloadPage?: boolean) => Promise<void>) | null = null;
let registration: ServiceWorkerRegistration | undefined;

function set(patch: Partial<UpdateState>): void {
  state = { ...state, ...patch };
  for (const listener of listeners) listener();
}

/** Registers the service worker (precache: the app opens with no network) and listens for new versions. */
export function registerServiceWorker(): void {
  updateServiceWorker = registerSW({
    immediate: true,
    onNeedRefresh: () => set({ waiting: true }),
    // The reload is ours (apply, below): the plugin reloads only when the page was already controlled at its start,
    // not in the session that installed the app.
    onNeedReload: () => {},
    onRegisteredSW: (_url, r) => {
      registration = r;
    },
  });
  // A tablet may run the app for days without a navigation (when browsers look for a new version): look hourly.
  setInterval(() => {
    if (navigator.onLine) void registration?.update().catch(() => undefined);
  }, UPDATE_CHECK_INTERVAL_MS);
}

export const updates = {
  get: (): UpdateState => state,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Staff accepted the new version: the caller applies it when updateBlocker allows. */
  accept(): void {
    set({ accepted: true });
  },
  /** Activates the waiting version and reloads the page once it controls it. */
  async apply(): Promise<void> {
    navigator.serviceWorker.addEventListener("controllerchange", () => window.location.reload(), { once: true });
    await updateServiceWorker?.(true);
  },
  /** Asks the server for a newer version now (as the browser does on navigation). */
  async check(): Promise<void> {
    await registration?.update();
  },
};
