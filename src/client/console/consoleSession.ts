/** The console's sign-in, kept for this browser tab only (sessionStorage): closing the tab signs the desk out. */
import { useSyncExternalStore } from "react";
import type { ConsoleSession } from "../../domain/labs";

const KEY = "samplepoint.consoleSession";
const listeners = new Set<() => void>();
let cached: ConsoleSession | null | undefined;

function read(): ConsoleSession | null {
  if (cached !== undefined) return cached;
  try {
    const parsed = JSON.parse(sessionStorage.getItem(KEY) ?? "null") as ConsoleSession | null;
    cached = parsed && Date.parse(parsed.expiresAt) > Date.now() ? parsed : null;
  } catch {
    cached = null;
  }
  return cached;
}

/** Why the desk was signed out (the server ended the sign-in), to say so on the sign-in screen. */
export let signedOutBecause: string | null = null;

export function setConsoleSession(session: ConsoleSession | null, because: string | null = null): void {
  signedOutBecause = because;
  cached = session;
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

export function useConsoleSession(): ConsoleSession | null {
  return useSyncExternalStore((listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, read);
}
