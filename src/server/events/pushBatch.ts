/**
 * Applies one pushed batch: every event validated on its own, all accepted events stored and projected in one
 * transaction together with the device's high-water mark. Idempotent by event id: the same event again is a duplicate,
 * a different body under a known id is a conflict.
 */

import type { Transaction } from "kysely";
import type { z } from "zod";
import { canonicalEventJson, type SampleEvent, SampleEventSchema } from "../../domain/events";
import type { EventRejection, PushResult } from "../../domain/protocol";
import type { Authenticated } from "../auth/tokens";
import type { Store } from "../db";
import type { Database } from "../db/schema";
import { recordConflicts } from "./conflicts";
import { chunks, projectEvents } from "./projectEvent";

const rejected = (index: number, id: string | null, code: EventRejection, message: string): PushResult => ({
  index,
  id,
  status: "rejected",
  code,
  message,
});

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(event)"}: ${issue.message}`)
    .join("; ");
}

const idOf = (raw: unknown): string | null =>
  raw && typeof raw === "object" && typeof (raw as { id?: unknown }).id === "string"
    ? ((raw as { id: string }).id as string)
    : null;

export interface Checked {
  index: number;
  id: string | null;
  event?: SampleEvent;
  body?: string;
  problem?: string;
  /** This device's sequence number, read even from an invalid event so that its rejection still advances the mark. */
  seq: number | null;
}

const seqOf = (raw: unknown, deviceId: string): number | null => {
  if (!raw || typeof raw !== "object") return null;
  const { seq, deviceId: device } = raw as { seq?: unknown; deviceId?: unknown };
  return device === deviceId && typeof seq === "number" && Number.isSafeInteger(seq) && seq > 0 ? seq : null;
};

export interface PushOutcome {
  results: PushResult[];
  /** The device's high-water mark after the batch. */
  mark: number;
}

/** One device's push, as received. */
export interface PushJob {
  auth: Authenticated;
  rawEvents: unknown[];
  now: Date;
  reportedPending?: number;
  deviceTime?: string;
}

/** Validation needs no database: every event of a push is parsed before any transaction starts. */
export function checkPush(job: PushJob): Checked[] {
  return job.rawEvents.map((raw, index) => {
    const parsed = SampleEventSchema.safeParse(raw);
    const seq = seqOf(raw, job.auth.deviceId);
    if (!parsed.success) return { index, id: idOf(raw), problem: describeIssues(parsed.error), seq };
    return { index, id: parsed.data.id, event: parsed.data, body: canonicalEventJson(parsed.data), seq };
  });
}

export async function pushBatch(
  { db, dialect }: Pick<Store, "db" | "dialect">,
  auth: Authenticated,
  rawEvents: unknown[],
  now = new Date(),
  reportedPending?: number,
  deviceTime?: string,
): Promise<PushOutcome> {
  const job: PushJob = {
    auth,
    rawEvents,
    now,
    ...(reportedPending === undefined ? {} : { reportedPending }),
    ...(deviceTime ? { deviceTime } : {}),
  };
  const checked = checkPush(job);
  return db.transaction().execute((trx) => applyPush(trx, dialect, job, checked));
}

/** Applies one checked push inside `trx`, together with the device's mark. */
export async function applyPush(
  trx: Transaction<Database>,
  dialect: Store["dialect"],
  { auth, rawEvents, now, reportedPending, deviceTime }: PushJob,
  checked: Checked[],
): Promise<PushOutcome> {
  const receivedAt = now.toISOString();
  const valid = checked.flatMap((c) => (c.event ? [c.event] : []));
  // Several server processes share one PostgreSQL: a device's batches (a retry sent to another process while the
  // first is still working, say) take turns on the device's row, so each sees what the other committed.
  // SQLite has one writer at a time already.
  const markQuery = trx.selectFrom("devices").select("last_seq").where("id", "=", auth.deviceId);
  const device = await (dialect === "postgres" ? markQuery.forUpdate() : markQuery).executeTakeFirst();
  let mark = Number(device?.last_seq ?? 0);
  // What the store already knows about this batch, in three queries rather than three per event.
  const storedBodies = new Map<string, string>();
  const seqOwners = new Map<number, string>();
  const knownStaff = new Set<string>();
  if (valid.length > 0) {
    for (const row of await trx
      .selectFrom("events")
      .select(["id", "body"])
      .where(
        "id",
        "in",
        valid.map((e) => e.id),
      )
      .execute()) {
      storedBodies.set(row.id, row.body);
    }
    for (const row of await trx
      .selectFrom("events")
      .select(["id", "seq"])
      .where("device_id", "=", auth.deviceId)
      .where(
        "seq",
        "in",
        valid.map((e) => e.seq),
      )
      .execute()) {
      seqOwners.set(Number(row.seq), row.id);
    }
    for (const row of await trx
      .selectFrom("staff")
      .select("id")
      .where("site_code", "=", auth.siteCode)
      .where("id", "in", [...new Set(valid.map((e) => e.staffId))])
      .execute()) {
      knownStaff.add(row.id);
    }
  }

  const results: PushResult[] = [];
  const inBatch = new Map<string, string>();
  const accepted: SampleEvent[] = [];
  const acceptedBodies: string[] = [];
  for (const { index, id, event, body, problem, seq } of checked) {
    // The device's events are applied in sequence: one past the mark is next, at or below it is a resend, beyond
    // it means events are missing (a server restored from an older backup, say) and the device must resend them.
    if (seq !== null && seq > mark + 1) {
      results.push(
        rejected(index, id, "sequence_gap", `Expected sequence number ${mark + 1} of this device before ${seq}.`),
      );
      continue;
    }
    // Rejected or not, an event one past the mark is dealt with: the mark moves on, so a rejection never blocks.
    if (seq === mark + 1) mark = seq;
    if (!event || body === undefined) {
      results.push(rejected(index, id, "invalid_event", problem ?? "invalid event"));
      continue;
    }
    const earlier = inBatch.get(event.id);
    if (earlier !== undefined) {
      results.push(
        earlier === body
          ? { index, id: event.id, status: "duplicate" }
          : rejected(index, event.id, "event_conflict", "Another event with this id is in the same batch."),
      );
      continue;
    }
    inBatch.set(event.id, body);

    const scope = scopeProblem(auth, event, knownStaff);
    if (scope) {
      results.push(rejected(index, event.id, scope.code, scope.message));
      continue;
    }
    const stored = storedBodies.get(event.id);
    if (stored !== undefined) {
      results.push(
        stored === body
          ? { index, id: event.id, status: "duplicate" }
          : rejected(
              index,
              event.id,
              "event_conflict",
              "An event with this id was already stored with a different body.",
            ),
      );
      continue;
    }
    const owner = seqOwners.get(event.seq);
    if (owner !== undefined && owner !== event.id) {
      results.push(
        rejected(
          index,
          event.id,
          "event_conflict",
          `Sequence number ${event.seq} of this device belongs to another event.`,
        ),
      );
      continue;
    }
    seqOwners.set(event.seq, event.id);
    accepted.push(event);
    acceptedBodies.push(body);
    results.push({ index, id: event.id, status: "accepted" });
  }

  await projectEvents(trx, accepted);
  await recordConflicts(
    trx,
    { siteCode: auth.siteCode, deviceId: auth.deviceId, receivedAt, ...(deviceTime ? { deviceTime } : {}) },
    accepted,
  );
  if (accepted.length > 0) {
    // Numbers in the site's pull order, taken last: on PostgreSQL this locks the site's row until commit, so the
    // site's events become visible in number order and a device pulling after a cursor never skips one.
    const counter = await trx
      .updateTable("sites")
      .set((eb) => ({ last_event_seq: eb("last_event_seq", "+", accepted.length) }))
      .where("code", "=", auth.siteCode)
      .returning("last_event_seq")
      .executeTakeFirstOrThrow();
    const firstSiteSeq = Number(counter.last_event_seq) - accepted.length + 1;
    const rows = accepted.map((event, i) => ({
      id: event.id,
      site_code: event.siteCode,
      device_id: event.deviceId,
      seq: event.seq,
      staff_id: event.staffId,
      type: event.type,
      occurred_at: event.occurredAt,
      received_at: receivedAt,
      body: acceptedBodies[i] as string,
      site_seq: firstSiteSeq + i,
    }));
    for (const chunk of chunks(rows)) await trx.insertInto("events").values(chunk).execute();
  }

  await trx
    .updateTable("devices")
    .set({
      last_seen_at: receivedAt,
      last_seq: mark,
      ...(reportedPending === undefined ? {} : { reported_pending: Math.max(0, reportedPending - rawEvents.length) }),
    })
    .where("id", "=", auth.deviceId)
    .execute();
  return { results, mark };
}

function scopeProblem(
  auth: Authenticated,
  event: SampleEvent,
  knownStaff: Set<string>,
): { code: EventRejection; message: string } | null {
  if (event.siteCode !== auth.siteCode) {
    return { code: "wrong_site", message: `This token may only push events of site ${auth.siteCode}.` };
  }
  if (event.deviceId !== auth.deviceId) {
    return { code: "wrong_device", message: "The event was made on another device than this token's." };
  }
  if (!knownStaff.has(event.staffId)) {
    return { code: "unknown_staff", message: "The event names a staff member this site does not have." };
  }
  return null;
}
