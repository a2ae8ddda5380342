/**
 * Installing the app to the home screen. Chromium browsers announce installability with `beforeinstallprompt`, which
 * is kept so that an in-app button can show the browser's dialog later; iOS has no such event: staff are shown how to
 * add the app from Safari's Share menu instead.
 */

interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: "accepted" | "dismissed" }>;
}

export interface InstallState {
  /** The browser's install dialog can be shown now. */
  canPrompt: boolean;
  /** Running as an installed app (standalone window). */
  installed: boolean;
  /** iOS / iPadOS Safari, not yet installed: show the Share → Add to Home Screen steps. */
  iosInstructions: boolean;
}

let deferred: BeforeInstallPromptEvent | null = null;
const listeners = new Set<() => void>();

function standalone(): boolean {
  return (
    window.matchMedia?.("(display-mode: standalone)").matches === true ||
    (navigator as { standalone?: boolean }).standalone === true
  );
}

function isIos(): boolean {
  // iPadOS reports itself as a Mac with touch.
  return (
    /iPad|iPhone|iPod/.test(navigator.userAgent) ||
    (/Macintosh/.test(navigator.userAgent) && navigator.maxTouchPoints > 1)
  );
}

let state: InstallState = { canPrompt: false, installed: false, iosInstructions: false };

function refresh(): void {
  const installed = standalone();
  state = { canPrompt: deferred !== null && !installed, installed, iosInstructions: isIos() && !installed };
  for (const listener of listeners) listener();
}

/** Called once at start, before the browser fires its event. */
export function watchInstallability(): void {
  window.addEventListener("beforeinstallprompt", (event) => {
    // Keep the event: the app offers installation in its settings rather than the browser's mini-infobar.
    event.preventDefault();
    deferred = event as BeforeInstallPromptEvent;
    refresh();
  });
  window.addEventListener("appinstalled", () => {
    deferred = null;
    refresh();
  });
  refresh();
}

export const installState = {
  get: (): InstallState => state,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/** Shows the browser's install dialog; true when staff accepted. */
export async function promptInstall(): Promise<boolean> {
  const event = deferred;
  if (!event) return false;
  deferred = null;
  await event.prompt();
  const { outcome } = await event.userChoice;
  refresh();
  return outcome === "accepted";
}
