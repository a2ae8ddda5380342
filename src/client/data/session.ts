/** The signed-in session. Signing out forgets the token only: events, synced or not, stay on the device. */
import type { LoginResponse } from "../../domain/protocol";
import type { StoredSession } from "./db";
import { getMeta, setMeta } from "./meta";

export async function saveSession(login: LoginResponse): Promise<void> {
  await setMeta("session", login);
}

export async function loadSession(): Promise<StoredSession | undefined> {
  return getMeta("session");
}

/** Keeps who and which site (so the station still works offline) but drops the token. */
export async function forgetToken(): Promise<void> {
  const session = await loadSession();
  if (session) await setMeta("session", { ...session, token: null });
}
