/**
 * Pulls the site's roster after each sync with the server, only when it changed (the server's version as an ETag):
 * a 20,000-resident roster is fetched once per import, not per sync. Kept sealed for offline use.
 */
import { currentDataKey } from "../data/dataKey";
import { heldRosterVersion, saveRoster } from "../data/roster";
import { loadSession } from "../data/session";
import { api } from "./api";

export async function refreshRoster(token: string, siteCode: string): Promise<void> {
  const roster = await api.siteRoster(token, siteCode, heldRosterVersion(siteCode));
  if (roster) await saveRoster(siteCode, roster.version, roster.entries);
}

/** After a sync pass: refreshed when signed in and unlocked; offline or locked, the stored roster stays. */
export async function refreshRosterAfterSync(): Promise<void> {
  const session = await loadSession();
  if (!session?.token || !currentDataKey()) return;
  await refreshRoster(session.token, session.site.code).catch(() => undefined);
}
