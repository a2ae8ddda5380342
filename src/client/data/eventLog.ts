/** The device's event log: recording new events (with the next sequence number) and reading them back. */
import type { EventType, PayloadOf, SampleEvent } from "../../domain/events";
import type { EventRejection } from "../../domain/protocol";
import { db, type StoredEvent } from "./db";
import { getDeviceId, getMeta, setMeta } from "./meta";
import { openJson, type Sealed, sealJson } from "./recordCipher";

/** A stored event with its body in the clear (decrypted for this read only; the database keeps it sealed). */
export type OpenEvent = StoredEvent & { event: SampleEvent };

/** The event of a stored record: sealed ones are decrypted with the data key (DeviceLockedError while locked). */
export function eventOf(stored: { sealed?: Sealed; event?: SampleEvent }): Promise<SampleEvent> {
  if (stored.sealed) return openJson<SampleEvent>(stored.sealed);
  if (stored.event) return Promise.resolve(stored.event);
  return Promise.reject(new Error("a stored event without a body"));
}

/** Records with their events in the clear, in the same order. */
export const opened = (records: StoredEvent[]): Promise<OpenEvent[]> =>
  Promise.all(records.map(async (stored) => ({ ...stored, event: await eventOf(stored) })));

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

/** An event ready to append: built with its sequence number and sealed, before any transaction starts. */
interface PreparedEvent {
  event: SampleEvent;
  sealed: Sealed;
}

async function prepareEvent<T extends EventType>(
  author: EventAuthor,
  deviceId: string,
  type: T,
  payload: PayloadOf<T>,
  seq: number,
): Promise<PreparedEvent> {
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
  return { event, sealed: await sealJson(event) };
}

/**
 * Appends prepared events numbered from `firstSeq` in one transaction, with `alsoInTransaction` (Dexie requests only):
 * undone with a StaleLogError when the log has moved past `firstSeq - 1` meanwhile. The requests go out together —
 * one round trip, which a slow phone feels on every scan.
 */
async function appendPrepared(
  prepared: PreparedEvent[],
  firstSeq: number,
  alsoInTransaction?: () => Promise<void>,
): Promise<void> {
  try {
    await db.transaction("rw", db.events, db.meta, async () => {
      // Requests run in the order they were placed: the read sees the number as it was before this transaction.
      const [next] = await Promise.all([
        getMeta("nextSeq"),
        ...prepared.map(({ event, sealed }) =>
          db.events.add({ id: event.id, seq: event.seq, sealed, syncState: "pending" }),
        ),
        setMeta("nextSeq", firstSeq + prepared.length),
      ]);
      if ((next ?? 1) !== firstSeq) throw new StaleLogError(firstSeq);
      await alsoInTransaction?.();
    });
  } catch (error) {
    // The unique seq index refuses a number another writer took first.
    if ((error as { name?: string } | null)?.name === "ConstraintError") throw new StaleLogError(firstSeq);
    throw error;
  }
}

/**
 * Appends one event, sealed (its resident data never reaches the database in the clear). The sequence number is
 * checked and the event written in one transaction, so two writes can never share a number and a crash leaves either
 * both or neither.
 *
 * With `expectedSeq` (the number after the last event the caller's state holds) the transaction is undone with a
 * StaleLogError when the log has moved on meanwhile; without it, the next free number is taken (read again and
 * retried if another writer took it first).
 */
export async function recordEvent<T extends EventType>(
  author: EventAuthor,
  type: T,
  payload: PayloadOf<T>,
  knownDeviceId?: string,
  expectedSeq?: number,
): Promise<SampleEvent> {
  const deviceId = knownDeviceId ?? (await getDeviceId());
  for (;;) {
    const seq = expectedSeq ?? (await getMeta("nextSeq")) ?? 1;
    const prepared = await prepareEvent(author, deviceId, type, payload, seq);
    try {
      await appendPrepared([prepared], seq);
      return prepared.event;
    } catch (error) {
      if (!(error instanceof StaleLogError) || expectedSeq !== undefined) throw error;
    }
  }
}

export async function allEvents(): Promise<SampleEvent[]> {
  return Promise.all((await db.events.orderBy("seq").toArray()).map(eventOf));
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
  const kept: StoredEvent[] = [];
  const leftOut: number[] = [];
  for (const s of stored) {
    if (leftOutOfState(s)) leftOut.push(s.seq);
    else kept.push(s);
  }
  return { events: await Promise.all(kept.map(eventOf)), leftOut, lastSeq: stored.at(-1)?.seq ?? seq };
}

/** Sequence numbers of events the server rejected (decided or not), up to `seq`: one index range, no event read. */
export async function rejectedSeqsUpTo(seq: number): Promise<number[]> {
  const keys = await db.events.where("[syncState+seq]").between(["rejected", 0], ["rejected", seq], true, true).keys();
  return keys.map((key) => (key as unknown as [string, number])[1]);
}

/** This device's stored events with these sequence numbers (a few: one index lookup each). */
export async function storedEventsBySeq(seqs: number[]): Promise<OpenEvent[]> {
  return seqs.length === 0 ? [] : opened(await db.events.where("seq").anyOf(seqs).toArray());
}

/** The highest sequence number the server has confirmed or rejected (0 when none). */
export async function highestSettledSeq(): Promise<number> {
  // The last synced and the last rejected event, each one index lookup (not a walk down past the pending ones).
  const last = (state: "synced" | "rejected") =>
    db.events.where("[syncState+seq]").between([state, 0], [state, Infinity]).last();
  const [synced, rejected] = await Promise.all([last("synced"), last("rejected")]);
  return Math.max(synced?.seq ?? 0, rejected?.seq ?? 0);
}

export async function pendingEvents(limit: number): Promise<OpenEvent[]> {
  return opened(
    await db.events.where("[syncState+seq]").between(["pending", 0], ["pending", Infinity]).limit(limit).toArray(),
  );
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
export async function quarantinedEvents(): Promise<OpenEvent[]> {
  return opened(
    await db.events
      .where("[syncState+seq]")
      .between(["rejected", 0], ["rejected", Infinity])
      .filter((stored) => !stored.resolution)
      .toArray(),
  );
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
): Promise<{ resolved: OpenEvent; replacement?: SampleEvent }> {
  const deviceId = await getDeviceId();
  const before = await db.events.get(id);
  if (before?.syncState !== "rejected" || before.resolution) throw new NotQuarantinedError(id);
  const original = await eventOf(before);
  // The events are sealed before the transaction (no WebCrypto awaits inside one); if another writer takes their
  // numbers first, they are numbered and sealed again.
  for (;;) {
    const seq = (await getMeta("nextSeq")) ?? 1;
    const replacement =
      decision.decision === "resubmitted"
        ? await prepareEvent(author, deviceId, original.type as T, decision.payload, seq)
        : undefined;
    const resolvedEvent = await prepareEvent(
      author,
      deviceId,
      "quarantine.resolved",
      {
        eventId: id,
        decision: decision.decision,
        reason: decision.reason,
        rejectionCode: before.rejection?.code ?? "unknown",
        ...(replacement ? { replacementId: replacement.event.id } : {}),
      },
      replacement ? seq + 1 : seq,
    );
    const resolution = {
      decision: decision.decision,
      reason: decision.reason,
      at: new Date().toISOString(),
      ...(replacement ? { replacementId: replacement.event.id } : {}),
    };
    let resolved: StoredEvent | undefined;
    try {
      await appendPrepared(replacement ? [replacement, resolvedEvent] : [resolvedEvent], seq, async () => {
        const stored = await db.events.get(id);
        if (stored?.syncState !== "rejected" || stored.resolution) throw new NotQuarantinedError(id);
        await db.events.update(id, { resolution });
        resolved = stored;
      });
    } catch (error) {
      if (error instanceof StaleLogError) continue;
      throw error;
    }
    return {
      resolved: { ...(resolved as StoredEvent), event: original, resolution },
      ...(replacement ? { replacement: replacement.event } : {}),
    };
  }
}
