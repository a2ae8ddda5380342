/** The device's event log: recording new events (with the next sequence number) and reading them back. */
import type { EventType, PayloadOf, SampleEvent } from "../../domain/events";
import type { EventRejection } from "../../domain/protocol";
import { db, type StoredEvent } from "./db";
import { getDeviceId, getMeta, setMeta } from "./meta";

export interface EventAuthor {
  staffId: string;
  siteCode: string;
}

/**
 * Appends one event. The sequence number is taken and the event written in one transaction, so two writes can never
 * share a number and a crash leaves either both or neither.
 */
export async function recordEvent<T extends EventType>(
  author: EventAuthor,
  type: T,
  payload: PayloadOf<T>,
): Promise<SampleEvent> {
  const deviceId = await getDeviceId();
  return db.transaction("rw", db.events, db.meta, async () => {
    const seq = (await getMeta("nextSeq")) ?? 1;
    const event = {
      id: crypto.randomUUID(),
      deviceId,
      seq,
      staffId: author.staffId,
      siteCode: author.siteCode,
      occurredAt: new Date().toISOString(),
      type,
      payload,
    } as SampleEvent;
    await db.events.add({ id: event.id, seq, event, syncState: "pending" });
    await setMeta("nextSeq", seq + 1);
    return event;
  });
}

export async function allEvents(): Promise<SampleEvent[]> {
  return (await db.events.orderBy("seq").toArray()).map((stored) => stored.event);
}

/**
 * Events recorded after `seq`, in order (the tail a saved snapshot does not hold yet), without quarantined events
 * that staff discarded or replaced: those no longer count in the station's state. `lastSeq` includes skipped ones.
 */
export async function eventsAfter(seq: number): Promise<{ events: SampleEvent[]; lastSeq: number }> {
  const stored = await db.events.where("seq").above(seq).toArray();
  return {
    events: stored.flatMap((s) => (s.resolution ? [] : [s.event])),
    lastSeq: stored.at(-1)?.seq ?? seq,
  };
}

/** The highest sequence number the server has confirmed or rejected (0 when none). */
export async function highestSettledSeq(): Promise<number> {
  const settled = await db.events
    .orderBy("seq")
    .reverse()
    .filter((stored) => stored.syncState !== "pending")
    .first();
  return settled?.seq ?? 0;
}

export async function pendingEvents(limit: number): Promise<StoredEvent[]> {
  return db.events.where("[syncState+seq]").between(["pending", 0], ["pending", Infinity]).limit(limit).toArray();
}

export async function countPending(): Promise<number> {
  return db.events.where("syncState").equals("pending").count();
}

/** Quarantined events still waiting for staff to correct or discard them. */
export async function countRejected(): Promise<number> {
  return db.events
    .where("syncState")
    .equals("rejected")
    .filter((stored) => !stored.resolution)
    .count();
}

/**
 * The server has nothing after `mark` (restored from an older backup, say): every later event goes back in the queue,
 * synced and quarantined ones too, since the server must see each sequence number. Decisions on quarantined events
 * are kept. Returns the lowest sequence number now pending, to tell whether the gap can be filled.
 */
export async function requeueAfter(mark: number): Promise<number | null> {
  return db.transaction("rw", db.events, async () => {
    await db.events
      .where("seq")
      .above(mark)
      .modify((stored) => {
        stored.syncState = "pending";
        delete stored.syncedAt;
      });
    const first = await db.events.where("[syncState+seq]").between(["pending", 0], ["pending", Infinity]).first();
    return first?.seq ?? null;
  });
}

/** Marks events the server accepted (or already had) as synced, and rejected ones with the server's reason. */
export async function markSyncResults(
  synced: string[],
  rejected: { id: string; code: EventRejection; message: string }[],
  at = new Date().toISOString(),
): Promise<void> {
  await db.transaction("rw", db.events, async () => {
    if (synced.length > 0) {
      await db.events.where("id").anyOf(synced).modify({ syncState: "synced", syncedAt: at });
    }
    for (const r of rejected) {
      await db.events.update(r.id, { syncState: "rejected", rejection: { code: r.code, message: r.message, at } });
    }
  });
}
