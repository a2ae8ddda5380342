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
 * Another writer (a second tab, the quarantine screen) recorded an event since the caller's state was read: the
 * caller's decision may rest on stale state, so nothing was written; catch up and decide again.
 */
export class StaleLogError extends Error {
  constructor(readonly expectedSeq: number) {
    super(`the event log moved past ${expectedSeq - 1} meanwhile`);
  }
}

/**
 * Appends one event. The sequence number is taken and the event written in one transaction, so two writes can never
 * share a number and a crash leaves either both or neither.
 *
 * With `expectedSeq` (the number after the last event the caller's state holds) the three requests go out together —
 * one round trip instead of three, which a slow phone feels on every scan — and the transaction is undone with a
 * StaleLogError when the log has moved on meanwhile.
 */
export async function recordEvent<T extends EventType>(
  author: EventAuthor,
  type: T,
  payload: PayloadOf<T>,
  knownDeviceId?: string,
  expectedSeq?: number,
): Promise<SampleEvent> {
  const deviceId = knownDeviceId ?? (await getDeviceId());
  const eventWith = (seq: number) =>
    ({
      id: crypto.randomUUID(),
      deviceId,
      seq,
      staffId: author.staffId,
      siteCode: author.siteCode,
      occurredAt: new Date().toISOString(),
      type,
      payload,
    }) as SampleEvent;
  if (expectedSeq !== undefined) {
    const event = eventWith(expectedSeq);
    try {
      return await db.transaction("rw", db.events, db.meta, async () => {
        // Requests run in the order they were placed: the read sees the number as it was before this transaction.
        const [next] = await Promise.all([
          getMeta("nextSeq"),
          db.events.add({ id: event.id, seq: expectedSeq, event, syncState: "pending" }),
          setMeta("nextSeq", expectedSeq + 1),
        ]);
        if ((next ?? 1) !== expectedSeq) throw new StaleLogError(expectedSeq);
        return event;
      });
    } catch (error) {
      // The unique seq index refuses a number another writer took first.
      if ((error as { name?: string } | null)?.name === "ConstraintError") throw new StaleLogError(expectedSeq);
      throw error;
    }
  }
  return db.transaction("rw", db.events, db.meta, async () => {
    const seq = (await getMeta("nextSeq")) ?? 1;
    const event = eventWith(seq);
    await db.events.add({ id: event.id, seq, event, syncState: "pending" });
    await setMeta("nextSeq", seq + 1);
    return event;
  });
}

export async function allEvents(): Promise<SampleEvent[]> {
  return (await db.events.orderBy("seq").toArray()).map((stored) => stored.event);
}

/**
 * Whether a stored event is left out of the station's state: the server rejected it (until staff resubmit it, which
 * records a new event) or staff decided it. Rejected records must not count in the counters or the tube.
 */
export const leftOutOfState = (stored: StoredEvent): boolean =>
  stored.syncState === "rejected" || stored.resolution !== undefined;

/**
 * Events recorded after `seq`, in order (the tail a saved snapshot does not hold yet), without the ones left out of
 * the station's state (rejected, or decided by staff); `leftOut` names those, `lastSeq` includes them.
 */
export async function eventsAfter(seq: number): Promise<{ events: SampleEvent[]; leftOut: number[]; lastSeq: number }> {
  const stored = await db.events.where("seq").above(seq).toArray();
  const events: SampleEvent[] = [];
  const leftOut: number[] = [];
  for (const s of stored) {
    if (leftOutOfState(s)) leftOut.push(s.seq);
    else events.push(s.event);
  }
  return { events, leftOut, lastSeq: stored.at(-1)?.seq ?? seq };
}

/** Sequence numbers of events the server rejected (decided or not), up to `seq`: one index range, no event read. */
export async function rejectedSeqsUpTo(seq: number): Promise<number[]> {
  const keys = await db.events.where("[syncState+seq]").between(["rejected", 0], ["rejected", seq], true, true).keys();
  return keys.map((key) => (key as unknown as [string, number])[1]);
}

/** This device's stored events with these sequence numbers (a few: one index lookup each). */
export async function storedEventsBySeq(seqs: number[]): Promise<StoredEvent[]> {
  return seqs.length === 0 ? [] : db.events.where("seq").anyOf(seqs).toArray();
}

/** The highest sequence number the server has confirmed or rejected (0 when none). */
export async function highestSettledSeq(): Promise<number> {
  // The last synced and the last rejected event, each one index lookup (not a walk down past the pending ones).
  const last = (state: "synced" | "rejected") =>
    db.events.where("[syncState+seq]").between([state, 0], [state, Infinity]).last();
  const [synced, rejected] = await Promise.all([last("synced"), last("rejected")]);
  return Math.max(synced?.seq ?? 0, rejected?.seq ?? 0);
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

/** Events put back in the queue per transaction: see requeueAfter. */
export const REQUEUE_CHUNK = 500;

/**
 * The server has nothing after `mark` (restored from an older backup, say): every later event goes back in the queue,
 * synced and quarantined ones too, since the server must see each sequence number. Decisions on quarantined events
 * are kept. Returns the lowest sequence number now pending, to tell whether the gap can be filled.
 *
 * A device with a long log (100,000 events after a week) is put back `chunk` events per transaction, lowest first:
 * one transaction over all of them held the event store for seconds, and every registration waited behind it. If the
 * page closes half-way, the next pull finds the server's mark behind again and the rest is put back then.
 */
export async function requeueAfter(mark: number, chunk = REQUEUE_CHUNK): Promise<number | null> {
  const highest = (await db.events.orderBy("seq").last())?.seq ?? mark;
  for (let from = mark; from < highest; from += chunk) {
    await db.events
      .where("seq")
      .between(from, from + chunk, false, true)
      .modify((stored) => {
        stored.syncState = "pending";
        delete stored.syncedAt;
      });
  }
  const first = await db.events.where("[syncState+seq]").between(["pending", 0], ["pending", Infinity]).first();
  return first?.seq ?? null;
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

/** Events the server rejected that still wait for staff's decision, oldest first. */
export async function quarantinedEvents(): Promise<StoredEvent[]> {
  return db.events
    .where("[syncState+seq]")
    .between(["rejected", 0], ["rejected", Infinity])
    .filter((stored) => !stored.resolution)
    .toArray();
}

export class NotQuarantinedError extends Error {}

/**
 * Records staff's decision on a quarantined event, in one transaction: the corrected replacement (if any), the
 * `quarantine.resolved` event that carries the decision to the server's audit log, and the mark on the stored event
 * (which takes it out of the station's state).
 */
export async function resolveQuarantined<T extends EventType>(
  author: EventAuthor,
  id: string,
  decision:
    | { decision: "discarded"; reason: string }
    | { decision: "resubmitted"; reason: string; payload: PayloadOf<T> },
): Promise<{ resolved: StoredEvent; replacement?: SampleEvent }> {
  const deviceId = await getDeviceId();
  return db.transaction("rw", db.events, db.meta, async () => {
    const stored = await db.events.get(id);
    if (stored?.syncState !== "rejected" || stored.resolution) throw new NotQuarantinedError(id);
    const replacement =
      decision.decision === "resubmitted"
        ? await recordEvent(author, stored.event.type as T, decision.payload, deviceId)
        : undefined;
    await recordEvent(
      author,
      "quarantine.resolved",
      {
        eventId: id,
        decision: decision.decision,
        reason: decision.reason,
        rejectionCode: stored.rejection?.code ?? "unknown",
        ...(replacement ? { replacementId: replacement.id } : {}),
      },
      deviceId,
    );
    const resolution = {
      decision: decision.decision,
      reason: decision.reason,
      at: new Date().toISOString(),
      ...(replacement ? { replacementId: replacement.id } : {}),
    };
    await db.events.update(id, { resolution });
    return { resolved: { ...stored, resolution }, ...(replacement ? { replacement } : {}) };
  });
}
