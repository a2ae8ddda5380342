/** The signed-in session. Signing out forgets the token only: events, synced or not, stay on the device. */
import type { LoginResponse, SiteConfig } from "../../domain/protocol";
import type { StoredSession } from "./db";
import { getMeta, setMeta } from "./meta";

export async function saveSession(login: LoginResponse): Promise<void> {
  await setMeta("session", login);
  const names = (await getMeta("staffNames")) ?? {};
  if (names[login.staff.id] !== login.staff.name) {
    await setMeta("staffNames", { ...names, [login.staff.id]: login.staff.name });
  }
}

/** Staff names by id: everyone who signed in on this device, and the signed-in staff. */
export async function knownStaffNames(): Promise<Record<string, string>> {
  const [names, session] = await Promise.all([getMeta("staffNames"), loadSession()]);
  return session ? { ...names, [session.staff.id]: session.staff.name } : { ...names };
}

/** After a site lead changed the site's settings: the device works with the new ones at once. */
export async function updateSessionSite(site: SiteConfig): Promise<void> {
  const session = await loadSession();
  if (session && session.site.code === site.code) await setMeta("session", { ...session, site });
}

export async function loadSession(): Promise<StoredSession | undefined> {
  return getMeta("session");
}

/** Keeps who and which site (so the station still works offline) but drops the token. */
export async function forgetToken(): Promise<void> {
  const session = await loadSession();
  if (session) await setMeta("session", { ...session, token: null });
}
