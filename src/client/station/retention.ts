/**
 * Retention on the phone: synced records older than the site's retention (default 7 days) whose box was handed over
 * are deleted from the device — events (own and pulled) and the projected state — while the day counters keep their
 * figures. Never an unsynced or quarantined event: if any of them concerns an expired record, nothing is deleted
 * this time. Runs after the unlock, in the background, and then every few hours while the app is open.
 */
import { eventIsExpired, eventTouchesExpired, expiredRecords, retentionCutoff } from "../../domain/retention";
import { getMeta, setMeta } from "../data/meta";
import { ifRetentionLockFree } from "../data/retentionLock";
import { buryExpired, deleteExpiredEvents, unsentEvents } from "../data/retentionStore";
import { announceToOtherTabs } from "./otherTabs";
import { type StationStore, stationStore } from "./stationStore";

export interface PurgeOutcome {
  cutoff: string;
  removed: number;
  /** Unsent or quarantined events concern expired records: nothing was deleted. */
  heldBack: boolean;
}

export async function purgeExpiredRecords(
  retentionDays: number,
  now = new Date(),
  store: StationStore = stationStore,
): Promise<PurgeOutcome | null> {
  // One clean-up at a time across the app's tabs; a tab that finds another at work leaves it to that one.
  return ifRetentionLockFree(() => purgeNow(retentionDays, now, store));
}

async function purgeNow(retentionDays: number, now: Date, store: StationStore): Promise<PurgeOutcome> {
  // Another tab may have cleaned up since this tab built its state: deciding on that older state would keep the same
  // records' counts twice, so the state is built again from the records as stored now (only then: at 100,000
  // registrations a rebuild is a second's work on a slow phone).
  const last = await getMeta("lastPurge");
  const state = last && Date.parse(last.at) >= store.loadedAtMs() ? await store.reload() : await store.load();
  const cutoff = retentionCutoff(now, retentionDays);
  const expired = expiredRecords(state, cutoff);
  let outcome: PurgeOutcome = { cutoff, removed: 0, heldBack: false };
  if (expired.tubes.size > 0 || expired.boxes.size > 0) {
    if ((await unsentEvents()).some((stored) => eventTouchesExpired(stored.event, expired))) {
      outcome = { ...outcome, heldBack: true };
    } else {
      // Tombstones, events, then the state: a stop in between leaves records the next run finds and deletes again.
      await buryExpired(expired, now, cutoff, (await getMeta("session"))?.site.code);
      const removed = await deleteExpiredEvents((event) => eventIsExpired(event, expired), cutoff);
      await store.forgetExpired(expired);
      announceToOtherTabs("purged");
      outcome = { ...outcome, removed };
    }
  }
  await setMeta("lastPurge", { at: now.toISOString(), cutoff, removed: outcome.removed });
  return outcome;
}

/** How often the clean-up runs while the app stays open. */
export const PURGE_EVERY_MS = 6 * 60 * 60 * 1000;
