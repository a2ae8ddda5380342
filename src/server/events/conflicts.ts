/**
 * Cross-device conflicts, found when a batch is applied (in its transaction): each device followed the rules with
 * what it knew, but together they broke one. Recorded once per subject and listed for the site; never dropped.
 */
import type { Kysely, Transaction } from "kysely";
import type { SampleEvent } from "../../domain/events";
import { type ConflictKind, MAX_CLOCK_SKEW_MS } from "../../domain/protocol";
import { siteDay } from "../../domain/siteDay";
import type { Database } from "../db/schema";

interface Found {
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

export async function recordConflicts(
  trx: Transaction<Database>,
  batch: BatchContext,
  accepted: SampleEvent[],
): Promise<void> {
  const found: Found[] = [];
  if (batch.deviceTime) {
    const skewMs = Date.parse(batch.deviceTime) - Date.parse(batch.receivedAt);
    if (Math.abs(skewMs) > MAX_CLOCK_SKEW_MS) {
      found.push({
        kind: "clock_skew",
        subject: batch.deviceId,
        detail: { deviceTime: batch.deviceTime, serverTime: batch.receivedAt, skewSeconds: Math.round(skewMs / 1000) },
        eventId: null,
      });
    }
  }
  const added = accepted.filter((e) => e.type === "registration.added");
  const tubesFilled = new Set<string>();
  for (const e of accepted) {
    if (e.type === "registration.added") tubesFilled.add(e.payload.tubeCode);
    if (e.type === "tube.transferred") tubesFilled.add(e.payload.toTubeCode);
  }
  if (tubesFilled.size > 0) found.push(...(await overCapacity(trx, batch.siteCode, [...tubesFilled])));
  if (added.length > 0) found.push(...(await residentsInTwoTubes(trx, batch.siteCode, added)));
  for (const e of accepted) {
    if (e.type !== "box.tube_added") continue;
    const tube = await trx
      .selectFrom("tubes")
      .select(["box_code"])
      .where("site_code", "=", batch.siteCode)
      .where("code", "=", e.payload.tubeCode)
      .executeTakeFirst();
    if (tube?.box_code && tube.box_code !== e.payload.boxCode) {
      found.push({
        kind: "tube_in_two_boxes",
        subject: e.payload.tubeCode,
        detail: { boxes: [tube.box_code, e.payload.boxCode], deviceId: e.deviceId },
        eventId: e.id,
      });
    }
  }
  if (found.length === 0) return;
  await trx
    .insertInto("conflicts")
    .values(
      found.map((f) => ({
        site_code: batch.siteCode,
        kind: f.kind,
        subject: f.subject,
        detail: JSON.stringify(f.detail),
        event_id: f.eventId,
        detected_at: batch.receivedAt,
      })),
    )
    .onConflict((oc) => oc.columns(["site_code", "kind", "subject"]).doNothing())
    .execute();
}

async function overCapacity(trx: Transaction<Database>, siteCode: string, tubeCodes: string[]): Promise<Found[]> {
  const rows = await trx
    .selectFrom("registrations as r")
    .innerJoin("tubes as t", (join) =>
      join.onRef("t.site_code", "=", "r.site_code").onRef("t.code", "=", "r.tube_code"),
    )
    .select(["r.tube_code", "t.capacity", (eb) => eb.fn.countAll<number>().as("members")])
    .where("r.site_code", "=", siteCode)
    .where("r.tube_code", "in", tubeCodes)
    .where("r.voided_at", "is", null)
    .groupBy(["r.tube_code", "t.capacity"])
    .execute();
  return rows
    .filter((r) => Number(r.members) > r.capacity)
    .map((r) => ({
      kind: "tube_over_capacity" as const,
      subject: r.tube_code,
      detail: { capacity: r.capacity, members: Number(r.members) },
      eventId: null,
    }));
}

/** The same document in two tubes on one site day, where the later registration gave no re-sampling reason. */
async function residentsInTwoTubes(
  trx: Transaction<Database>,
  siteCode: string,
  added: (SampleEvent & { type: "registration.added" })[],
): Promise<Found[]> {
  const rows = await trx
    .selectFrom("registrations")
    .select(["id", "doc_type", "doc_number", "tube_code", "registered_at", "repeat_reason", "event_id"])
    .where("site_code", "=", siteCode)
    .where("doc_number", "in", [...new Set(added.map((e) => e.payload.resident.docNumber))])
    .where("voided_at", "is", null)
    .execute();
  const groups = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.doc_type}:${row.doc_number}:${siteDay(row.registered_at)}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const fromBatch = new Set(added.map((e) => e.id));
  const found: Found[] = [];
  for (const [key, group] of groups) {
    const tubes = [...new Set(group.map((r) => r.tube_code))];
    const unexplained = group.find((r) => fromBatch.has(r.event_id) && !r.repeat_reason);
    if (tubes.length > 1 && unexplained) {
      found.push({
        kind: "resident_in_two_tubes",
        subject: key,
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
