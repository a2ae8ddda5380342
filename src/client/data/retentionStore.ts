/**
 * Retention, storage side: deleting stored events (own synced ones and pulled ones) that the station decided are
 * expired, a chunk per transaction, oldest first. This device's pending and quarantined events are never read here:
 * only the synced range of the queue index is walked.
 */
import type { SampleEvent } from "../../domain/events";
import { db } from "./db";
import { eventOf, type OpenEvent, opened } from "./eventLog";

const CHUNK = 500;

/** This device's events not yet accepted by the server: pending, and rejected ones staff have not decided. */
export async function unsentEvents(): Promise<OpenEvent[]> {
  const [pending, rejected] = await Promise.all([
    db.events.where("[syncState+seq]").between(["pending", 0], ["pending", Infinity]).toArray(),
    db.events
      .where("[syncState+seq]")
      .between(["rejected", 0], ["rejected", Infinity])
      .filter((s) => !s.resolution)
      .toArray(),
  ]);
  return opened([...pending, ...rejected]);
}

const older = (event: SampleEvent, cutoff: string) => Date.parse(event.occurredAt) < Date.parse(cutoff);

/**
 * Deletes the events `isExpired` picks among those that occurred before `cutoff`: this device's synced ones (by
 * sequence number) and pulled ones (by arrival). Both are in time order, so each walk stops at the first event after
 * the cutoff. Returns how many were deleted.
 */
export async function deleteExpiredEvents(isExpired: (event: SampleEvent) => boolean, cutoff: string): Promise<number> {
  let removed = 0;
  for (let from = 0; ; ) {
    const chunk = await db.events
      .where("[syncState+seq]")
      .between(["synced", from], ["synced", Infinity], false, true)
      .limit(CHUNK)
      .toArray();
    if (chunk.length === 0) break;
    const events = await Promise.all(chunk.map(eventOf));
    const ids = events.filter((e) => older(e, cutoff) && isExpired(e)).map((e) => e.id);
    if (ids.length > 0) {
      // Deleted only if still synced (a requeue may have put one back in the queue meanwhile).
      removed += await db.events
        .where("id")
        .anyOf(ids)
        .filter((s) => s.syncState === "synced")
        .delete();
    }
    if (events.some((e) => !older(e, cutoff))) break;
    from = chunk.at(-1)?.seq ?? Infinity;
  }
  for (let from = 0; ; ) {
    const chunk = await db.remoteEvents.where("order").above(from).limit(CHUNK).toArray();
    if (chunk.length === 0) break;
    const events = await Promise.all(chunk.map(eventOf));
    const ids = events.filter((e) => older(e, cutoff) && isExpired(e)).map((e) => e.id);
    if (ids.length > 0) removed += await db.remoteEvents.where("id").anyOf(ids).delete();
    if (events.some((e) => !older(e, cutoff))) break;
    from = chunk.at(-1)?.order ?? Infinity;
  }
  return removed;
}
