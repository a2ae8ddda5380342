/**
 * Retention, storage side: deleting stored events (own synced ones and pulled ones) that the station decided are
 * expired, a chunk per transaction, oldest first. This device's pending and quarantined events are never read here:
 * only the synced range of the queue index is walked.
 */
import type { SampleEvent } from "../../domain/events";
import { boxTombstone, type ExpiredRecords, tubeTombstone } from "../../domain/retention";
import { db } from "./db";
import { eventOf, type OpenEvent, opened } from "./eventLog";
import { getMeta, setMeta } from "./meta";

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

/** Tombstones are kept this long; pulled events older than the oldest kept are not stored again (the pull floor). */
export const TOMBSTONE_DAYS = 60;

/**
 * Writes tombstones for the expired tubes and boxes (before their events are deleted: a pull meanwhile must not bring
 * them back), and drops tombstones older than TOMBSTONE_DAYS. The site's pull floor rises to the latest cutoff among
 * those dropped — a time the records' own clean-up chose, not the clock now (a clock set wrong must not raise it).
 */
export async function buryExpired(
  expired: ExpiredRecords,
  now: Date,
  cutoff: string,
  siteCode: string | undefined,
): Promise<void> {
  const at = now.toISOString();
  const horizon = new Date(now.getTime() - TOMBSTONE_DAYS * 24 * 60 * 60 * 1000).toISOString();
  await db.transaction("rw", db.tombstones, db.meta, async () => {
    await db.tombstones.bulkPut([
      ...[...expired.tubes].map((code) => ({ key: tubeTombstone(code), at, cutoff })),
      ...[...expired.boxes].map((code) => ({ key: boxTombstone(code), at, cutoff })),
    ]);
    const dropped = await db.tombstones.where("at").below(horizon).toArray();
    if (dropped.length === 0) return;
    await db.tombstones.bulkDelete(dropped.map((t) => t.key));
    const latest = dropped.reduce(
      (max, t) => (Date.parse(t.cutoff) > Date.parse(max) ? t.cutoff : max),
      "1970-01-01T00:00:00.000Z",
    );
    if (siteCode === undefined) return;
    const floors = (await getMeta("pullFloors")) ?? {};
    const previous = floors[siteCode];
    if (previous === undefined || Date.parse(latest) > Date.parse(previous)) {
      await setMeta("pullFloors", { ...floors, [siteCode]: latest });
    }
  });
}

const older = (event: SampleEvent, cutoff: string) => Date.parse(event.occurredAt) < Date.parse(cutoff);

/**
 * Deletes the events `isExpired` picks among those that occurred before `cutoff`: this device's synced ones (by
 * sequence number: the device's own time order, so the walk stops at the first event after the cutoff) and pulled
 * ones (by the occurredAt index). Returns how many were deleted.
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
  // Pulled events arrive in the server's order, not in time order (a phone that was offline uploads late): the
  // occurredAt index finds every old one, and those pulled before it existed ("").
  const oldRemote = await db.remoteEvents.where("occurredAt").below(new Date(cutoff).toISOString()).primaryKeys();
  for (let i = 0; i < oldRemote.length; i += CHUNK) {
    const chunk = (await db.remoteEvents.bulkGet(oldRemote.slice(i, i + CHUNK))).filter((r) => r !== undefined);
    const events = await Promise.all(chunk.map(eventOf));
    const ids = events.filter((e) => older(e, cutoff) && isExpired(e)).map((e) => e.id);
    if (ids.length > 0) removed += await db.remoteEvents.where("id").anyOf(ids).delete();
  }
  return removed;
}
