/**
 * Cross-device conflicts, found when a batch is applied (in its transaction): each device followed the rules with
 * what it knew, but together they broke one. Recorded once per subject and listed for the site; never dropped.
 */
import { type Kysely, sql, type Transaction } from "kysely";
import type { SampleEvent } from "../../domain/events";
import { type ConflictKind, MAX_CLOCK_SKEW_MS } from "../../domain/protocol";
import { siteDay } from "../../domain/siteDay";
import type { Database } from "../db/schema";
import { chunks, LOOKUP_CHUNK } from "./chunks";

interface Found {
  siteCode: string;
  kind: ConflictKind;
  subject: string;
  detail: Record<string, unknown>;
  eventId: string | null;
}

export interface BatchContext {
  siteCode: string;
  deviceId: string;
  receivedAt: string;
  /** The device's clock when it sent the batch. */
  deviceTime?: string;
}

/**
 * Checks the accepted events of one or more pushes (a group commit) against what the store now holds, and records
 * what they break: one query for each check (capacity, residents), whatever the number of pushes and sites.
 */
export async function recordConflicts(
  trx: Transaction<Database>,
  pushes: { context: BatchContext; accepted: SampleEvent[] }[],
): Promise<void> {
  const found: Found[] = [];
  const tubesFilled = new Map<string, { siteCode: string; tubeCode: string }>();
  const added: (SampleEvent & { type: "registration.added" })[] = [];
  for (const { context, accepted } of pushes) {
    if (context.deviceTime) {
      const skewMs = Date.parse(context.deviceTime) - Date.parse(context.receivedAt);
      if (Math.abs(skewMs) > MAX_CLOCK_SKEW_MS) {
        found.push({
          siteCode: context.siteCode,
          kind: "clock_skew",
          subject: context.deviceId,
          detail: {
            deviceTime: context.deviceTime,
            serverTime: context.receivedAt,
            skewSeconds: Math.round(skewMs / 1000),
          },
          eventId: null,
        });
      }
    }
    for (const e of accepted) {
      if (e.type === "registration.added") {
        added.push(e);
        tubesFilled.set(`${e.siteCode}\u0000${e.payload.tubeCode}`, {
          siteCode: e.siteCode,
          tubeCode: e.payload.tubeCode,
        });
      }
      if (e.type === "tube.transferred") {
        tubesFilled.set(`${e.siteCode}\u0000${e.payload.toTubeCode}`, {
          siteCode: e.siteCode,
          tubeCode: e.payload.toTubeCode,
        });
      }
    }
  }
  // One query for each check over the whole group: (site, code) pairs in a VALUES list meet the (site, …) indexes
  // pair by pair.
  if (tubesFilled.size > 0) found.push(...(await overCapacity(trx, [...tubesFilled.values()])));
  if (added.length > 0) found.push(...(await residentsInTwoTubes(trx, added)));
  for (const e of pushes.flatMap((p) => p.accepted)) {
    if (e.type !== "box.tube_added") continue;
    const tube = await trx
      .selectFrom("tubes")
      .select(["box_code"])
      .where("site_code", "=", e.siteCode)
      .where("code", "=", e.payload.tubeCode)
      .executeTakeFirst();
    if (tube?.box_code && tube.box_code !== e.payload.boxCode) {
      found.push({
        siteCode: e.siteCode,
        kind: "tube_in_two_boxes",
        subject: e.payload.tubeCode,
        detail: { boxes: [tube.box_code, e.payload.boxCode], deviceId: e.deviceId },
        eventId: e.id,
      });
    }
  }
  if (found.length === 0) return;
  const detectedAt = pushes[0]?.context.receivedAt ?? new Date().toISOString();
  await trx
    .insertInto("conflicts")
    .values(
      found.map((f) => ({
        site_code: f.siteCode,
        kind: f.kind,
        subject: f.subject,
        detail: JSON.stringify(f.detail),
        event_id: f.eventId,
        detected_at: detectedAt,
      })),
    )
    .onConflict((oc) => oc.columns(["site_code", "kind", "subject"]).doNothing())
    .execute();
}

interface RegistrationMatch {
  id: string;
  site_code: string;
  doc_type: string;
  doc_number: string;
  tube_code: string;
  registered_at: string;
  repeat_reason: string | null;
  event_id: string;
}

/** Tubes (of any sites of the group) holding more active registrations than their capacity. */
async function overCapacity(
  trx: Transaction<Database>,
  tubes: { siteCode: string; tubeCode: string }[],
): Promise<Found[]> {
  const rows: { site_code: string; tube_code: string; capacity: number; members: number | string }[] = [];
  for (const slice of chunks(tubes, LOOKUP_CHUNK)) {
    const pairs = sql.join(slice.map((t) => sql`(${t.siteCode}, ${t.tubeCode})`));
    rows.push(
      ...(await trx
        .selectFrom("registrations as r")
        .innerJoin("tubes as t", (join) =>
          join.onRef("t.site_code", "=", "r.site_code").onRef("t.code", "=", "r.tube_code"),
        )
        .select(["r.site_code", "r.tube_code", "t.capacity", (eb) => eb.fn.countAll<number>().as("members")])
        .where(sql<boolean>`(r.site_code, r.tube_code) IN (VALUES ${pairs})`)
        .where("r.voided_at", "is", null)
        .groupBy(["r.site_code", "r.tube_code", "t.capacity"])
        .execute()),
    );
  }
  return rows
    .filter((r) => Number(r.members) > r.capacity)
    .map((r) => ({
      siteCode: r.site_code,
      kind: "tube_over_capacity" as const,
      subject: r.tube_code,
      detail: { capacity: r.capacity, members: Number(r.members) },
      eventId: null,
    }));
}

/** The same document in two tubes on one site day, where the later registration gave no re-sampling reason. */
async function residentsInTwoTubes(
  trx: Transaction<Database>,
  added: (SampleEvent & { type: "registration.added" })[],
): Promise<Found[]> {
  const rows: RegistrationMatch[] = [];
  const wanted = new Map(added.map((e) => [`${e.siteCode}\u0000${e.payload.resident.docNumber}`, e] as const));
  for (const slice of chunks([...wanted.values()], LOOKUP_CHUNK)) {
    const pairs = sql.join(slice.map((e) => sql`(${e.siteCode}, ${e.payload.resident.docNumber})`));
    rows.push(
      ...(await trx
        .selectFrom("registrations")
        .select([
          "id",
          "site_code",
          "doc_type",
          "doc_number",
          "tube_code",
          "registered_at",
          "repeat_reason",
          "event_id",
        ])
        .where(sql<boolean>`(site_code, doc_number) IN (VALUES ${pairs})`)
        .where("voided_at", "is", null)
        .execute()),
    );
  }
  const groups = new Map<string, { siteCode: string; subject: string; rows: typeof rows }>();
  for (const row of rows) {
    const subject = `${row.doc_type}:${row.doc_number}:${siteDay(row.registered_at)}`;
    const key = `${row.site_code}\u0000${subject}`;
    const group = groups.get(key) ?? { siteCode: row.site_code, subject, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  const fromBatch = new Set(added.map((e) => e.id));
  const found: Found[] = [];
  for (const { siteCode, subject, rows: group } of groups.values()) {
    const tubes = [...new Set(group.map((r) => r.tube_code))];
    const unexplained = group.find((r) => fromBatch.has(r.event_id) && !r.repeat_reason);
    if (tubes.length > 1 && unexplained) {
      found.push({
        siteCode,
        kind: "resident_in_two_tubes",
        subject,
        detail: { tubes, registrationIds: group.map((r) => r.id) },
        eventId: unexplained.event_id,
      });
    }
  }
  return found;
}

export async function siteConflicts(db: Kysely<Database>, siteCode: string) {
  const rows = await db
    .selectFrom("conflicts")
    .selectAll()
    .where("site_code", "=", siteCode)
    .orderBy("detected_at", "desc")
    .execute();
  return rows.map((r) => ({
    kind: r.kind as ConflictKind,
    subject: r.subject,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
    eventId: r.event_id,
    detectedAt: r.detected_at,
  }));
}
