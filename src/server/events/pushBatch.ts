/**
 * Applies pushed batches: every event validated on its own, all accepted events stored and projected in the
 * transaction (group commit, see groupCommit.ts) that also moves each device's high-water mark. Idempotent by event id: the same event again is a duplicate,
 * a different body under a known id is a conflict.
 */

import { sql, type Transaction } from "kysely";
import type { z } from "zod";
import { canonicalEventJson, type SampleEvent, SampleEventSchema } from "../../domain/events";
import type { EventRejection, PushResult } from "../../domain/protocol";
import { jsonProblem } from "../../domain/safeText";
import type { Authenticated } from "../auth/tokens";
import type { Store } from "../db";
import { insertRows } from "../db/insertRows";
import type { Database } from "../db/schema";
import { chunks, LOOKUP_CHUNK } from "./chunks";
import { recordConflicts } from "./conflicts";
import { projectEvents } from "./projectEvent";

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
    const seq = seqOf(raw, job.auth.deviceId);
    const parsed = SampleEventSchema.safeParse(raw);
    if (!parsed.success) return { index, id: idOf(raw), problem: describeIssues(parsed.error), seq };
    // Text no field may store (NUL, control characters, lone surrogates) in a field the schema leaves free: this event
    // is rejected, the others go on. Named as the schema names fields ("payload.courierName: …").
    const text = jsonProblem(raw);
    if (text?.code === "bad_text") {
      const field = text.path.slice(1).replaceAll("/", ".");
      return { index, id: idOf(raw), problem: `${field}: ${text.problem.replaceAll("_", " ")}`, seq };
    }
    return { index, id: parsed.data.id, event: parsed.data, body: canonicalEventJson(parsed.data), seq };
  });
}

/** Applies one checked push inside `trx`, together with the device's mark. */
export async function applyPush(
  trx: Transaction<Database>,
  dialect: Store["dialect"],
  job: PushJob,
  checked: Checked[],
): Promise<PushOutcome> {
  const [outcome] = await applyPushes(trx, dialect, [{ job, checked }]);
  return outcome as PushOutcome;
}

/**
 * Applies several checked pushes (of one device or many) inside `trx`, in order, each with its own results and its
 * device's mark — exactly as one after another, but with what the store knows read once for all of them and their
 * rows written together: a group costs a handful of queries plus one mark update per push.
 */
export async function applyPushes(
  trx: Transaction<Database>,
  dialect: Store["dialect"],
  pushes: { job: PushJob; checked: Checked[] }[],
): Promise<PushOutcome[]> {
  const deviceIds = [...new Set(pushes.map((p) => p.job.auth.deviceId))].sort();
  const valid = pushes.flatMap((p) => p.checked.flatMap((c) => (c.event ? [c.event] : [])));
  if (dialect === "postgres") {
    // Transactions that touch one site take turns on the site's row (SQLite has one writer already): each then sees
    // what the other committed — its conflict checks find the other's registrations, and the site's pull numbers are
    // taken and committed in order. Sites are locked in code order, then devices in id order, so two transactions
    // never wait for each other in a circle. The group committer keeps one process's concurrent groups on disjoint
    // sites, so they do not wait for each other at all.
    const siteCodes = [...new Set(pushes.map((p) => p.job.auth.siteCode))].sort();
    await trx.selectFrom("sites").select("code").where("code", "in", siteCodes).orderBy("code").forUpdate().execute();
  }
  // Several server processes share one PostgreSQL: a device's batches (a retry sent to another process while the
  // first is still working, say) take turns on the device's row, so each sees what the other committed.
  const markQuery = trx.selectFrom("devices").select(["id", "last_seq"]).where("id", "in", deviceIds).orderBy("id");
  const marks = new Map<string, number>();
  for (const row of await (dialect === "postgres" ? markQuery.forUpdate() : markQuery).execute()) {
    marks.set(row.id, Number(row.last_seq));
  }
  // What the store already knows about these events, in three queries rather than three per event.
  const storedBodies = new Map<string, string>();
  const seqOwners = new Map<string, string>();
  const knownStaff = new Set<string>();
  const seqKey = (deviceId: string, seq: number) => `${deviceId}\u0000${seq}`;
  const staffKey = (siteCode: string, staffId: string) => `${siteCode}\u0000${staffId}`;
  for (const ids of chunks(
    valid.map((e) => e.id),
    LOOKUP_CHUNK,
  )) {
    for (const row of await trx.selectFrom("events").select(["id", "body"]).where("id", "in", ids).execute()) {
      storedBodies.set(row.id, row.body);
    }
  }
  for (const seqs of chunks([...new Set(valid.map((e) => e.seq))], LOOKUP_CHUNK)) {
    for (const row of await trx
      .selectFrom("events")
      .select(["id", "device_id", "seq"])
      .where("device_id", "in", deviceIds)
      .where("seq", "in", seqs)
      .execute()) {
      seqOwners.set(seqKey(row.device_id, Number(row.seq)), row.id);
    }
  }
  const staffIds = [...new Set(valid.map((e) => e.staffId))];
  if (staffIds.length > 0) {
    for (const row of await trx.selectFrom("staff").select(["id", "site_code"]).where("id", "in", staffIds).execute()) {
      // Lab staff (no site) record no station events.
      if (row.site_code !== null) knownStaff.add(staffKey(row.site_code, row.id));
    }
  }

  const outcomes: PushOutcome[] = [];
  const acceptedByPush: SampleEvent[][] = [];
  const rows: { event: SampleEvent; body: string; receivedAt: string }[] = [];
  for (const { job, checked } of pushes) {
    const { auth } = job;
    const receivedAt = job.now.toISOString();
    let mark = marks.get(auth.deviceId) ?? 0;
    const results: PushResult[] = [];
    const inBatch = new Map<string, string>();
    const accepted: SampleEvent[] = [];
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

      const scope = scopeProblem(auth, event, knownStaff.has(staffKey(auth.siteCode, event.staffId)));
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
      const owner = seqOwners.get(seqKey(auth.deviceId, event.seq));
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
      // Known from here on, to later events of this push and to later pushes of the group.
      seqOwners.set(seqKey(auth.deviceId, event.seq), event.id);
      storedBodies.set(event.id, body);
      accepted.push(event);
      rows.push({ event, body, receivedAt });
      results.push({ index, id: event.id, status: "accepted" });
    }
    marks.set(auth.deviceId, mark);
    acceptedByPush.push(accepted);
    outcomes.push({ results, mark });
  }

  await projectEvents(trx, dialect, acceptedByPush.flat());
  await recordConflicts(
    trx,
    pushes.map(({ job }, i) => ({
      context: {
        siteCode: job.auth.siteCode,
        deviceId: job.auth.deviceId,
        receivedAt: job.now.toISOString(),
        ...(job.deviceTime ? { deviceTime: job.deviceTime } : {}),
      },
      accepted: acceptedByPush[i] ?? [],
    })),
  );
  await updateMarks(trx, pushes, outcomes);
  if (rows.length > 0) {
    // Numbers in each site's pull order: the site's row is locked until commit (PostgreSQL; SQLite has one writer),
    // so the site's events become visible in number order and a device pulling after a cursor never skips one.
    const bySite = new Map<string, number>();
    for (const { event } of rows) bySite.set(event.siteCode, (bySite.get(event.siteCode) ?? 0) + 1);
    const nextNumber = await takeSiteNumbers(trx, bySite);
    const eventRows = rows.map(({ event, body, receivedAt }) => {
      const siteSeq = nextNumber.get(event.siteCode) as number;
      nextNumber.set(event.siteCode, siteSeq + 1);
      return {
        id: event.id,
        site_code: event.siteCode,
        device_id: event.deviceId,
        seq: event.seq,
        staff_id: event.staffId,
        type: event.type,
        occurred_at: event.occurredAt,
        received_at: receivedAt,
        body,
        site_seq: siteSeq,
      };
    });
    await insertRows(trx, dialect, "events", eventRows);
  }

  return outcomes;
}

/**
 * Takes `count` pull-order numbers for each site and returns each site's first, in one statement for the whole group
 * (the sites' rows are locked since the transaction began).
 */
async function takeSiteNumbers(
  trx: Transaction<Database>,
  countBySite: Map<string, number>,
): Promise<Map<string, number>> {
  const codes = [...countBySite.keys()];
  const values = sql.join(codes.map((code) => sql`(${code}, ${countBySite.get(code) as number})`));
  const { rows } = await sql<{ code: string; last_event_seq: number | string }>`
    UPDATE sites SET last_event_seq = sites.last_event_seq + CAST(v.column2 AS bigint)
    FROM (VALUES ${values}) AS v
    WHERE sites.code = v.column1
    RETURNING sites.code, sites.last_event_seq`.execute(trx);
  const first = new Map<string, number>();
  for (const row of rows) first.set(row.code, Number(row.last_event_seq) - (countBySite.get(row.code) as number) + 1);
  if (first.size !== codes.length) throw new Error("an event names a site the store does not have");
  return first;
}

/** Each device's mark, last sight and reported queue after its last push in the group: one statement. */
async function updateMarks(
  trx: Transaction<Database>,
  pushes: { job: PushJob }[],
  outcomes: PushOutcome[],
): Promise<void> {
  const last = new Map<string, { mark: number; seenAt: string; pending: number | null; skewMs: number | null }>();
  for (const [i, { job }] of pushes.entries()) {
    const deviceMs = job.deviceTime ? Date.parse(job.deviceTime) : Number.NaN;
    last.set(job.auth.deviceId, {
      mark: outcomes[i]?.mark ?? 0,
      seenAt: job.now.toISOString(),
      pending: job.reportedPending === undefined ? null : Math.max(0, job.reportedPending - job.rawEvents.length),
      skewMs: Number.isFinite(deviceMs) ? deviceMs - job.now.getTime() : null,
    });
  }
  const values = sql.join([...last].map(([id, v]) => sql`(${id}, ${v.mark}, ${v.seenAt}, ${v.pending}, ${v.skewMs})`));
  // UPDATE … FROM (VALUES …): SQLite and PostgreSQL both name the columns column1, column2, …
  await sql`
    UPDATE devices SET
      last_seq = CAST(v.column2 AS bigint),
      last_seen_at = v.column3,
      reported_pending = COALESCE(CAST(v.column4 AS bigint), devices.reported_pending),
      clock_skew_ms = COALESCE(CAST(v.column5 AS bigint), devices.clock_skew_ms)
    FROM (VALUES ${values}) AS v
    WHERE devices.id = v.column1`.execute(trx);
}

function scopeProblem(
  auth: Authenticated,
  event: SampleEvent,
  staffKnown: boolean,
): { code: EventRejection; message: string } | null {
  // Another site's event never gets here: the route refuses such a push whole (403).
  if (event.deviceId !== auth.deviceId) {
    return { code: "wrong_device", message: "The event was made on another device than this token's." };
  }
  if (!staffKnown) {
    return { code: "unknown_staff", message: "The event names a staff member this site does not have." };
  }
  return null;
}
