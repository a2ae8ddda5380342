/**
 * Pulls the site's recall list after each sync with the server: residents of positive pools not yet re-sampled, so
 * that the station flags them when they are scanned (even offline later: the list is kept, sealed).
 */
import { currentDataKey } from "../data/dataKey";
import { type RecallNotice, saveRecallList } from "../data/recallList";
import { loadSession } from "../data/session";
import { api } from "./api";

export async function refreshRecalls(token: string, siteCode: string): Promise<void> {
  const { recalls } = await api.siteRecalls(token, siteCode);
  const notices: RecallNotice[] = recalls
    .filter((r) => r.state === "to_contact" || r.state === "contacted")
    .map((r) => ({ id: r.id, name: r.name, docType: r.docType, docNumber: r.docNumber, tubeCode: r.tubeCode }));
  await saveRecallList(siteCode, notices);
}

/** After a sync pass: refreshed when signed in and unlocked; offline or locked, the stored list stays. */
export async function refreshRecallsAfterSync(): Promise<void> {
  const session = await loadSession();
  if (!session?.token || !currentDataKey()) return;
  await refreshRecalls(session.token, session.site.code).catch(() => undefined);
}
