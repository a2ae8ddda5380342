/**
 * Turnaround: per tube, the times it was sampled (opened), sealed, handed over, received and resulted; per lab, the
 * median and 95th percentile of received → resulted and sampled → resulted for the tubes it received today.
 */
import type { Kysely } from "kysely";
import { siteDay, siteDayStart } from "../../domain/siteDay";
import type { Database } from "../db/schema";

export interface TubeTimeline {
  siteCode: string;
  tubeCode: string;
  sampledAt: string;
  sealedAt: string | null;
  handedOverAt: string | null;
  receivedAt: string | null;
  resultedAt: string | null;
}

export async function tubeTimeline(
  db: Kysely<Database>,
  siteCode: string,
  tubeCode: string,
): Promise<TubeTimeline | null> {
  const row = await db
    .selectFrom("tubes")
    .leftJoin("boxes", (j) =>
      j.onRef("boxes.site_code", "=", "tubes.site_code").onRef("boxes.code", "=", "tubes.box_code"),
    )
    .leftJoin("tube_receipts", (j) =>
      j.onRef("tube_receipts.site_code", "=", "tubes.site_code").onRef("tube_receipts.tube_code", "=", "tubes.code"),
    )
    .leftJoin("results", (j) =>
      j
        .onRef("results.site_code", "=", "tubes.site_code")
        .onRef("results.tube_code", "=", "tubes.code")
        .on("results.current", "=", 1),
    )
    .select([
      "tubes.site_code",
      "tubes.code",
      "tubes.opened_at",
      "tubes.sealed_at",
      "boxes.handed_over_at",
      "tube_receipts.received_at",
      "results.recorded_at",
    ])
    .where("tubes.site_code", "=", siteCode)
    .where("tubes.code", "=", tubeCode)
    .executeTakeFirst();
  if (!row) return null;
  return {
    siteCode: row.site_code,
    tubeCode: row.code,
    sampledAt: row.opened_at,
    sealedAt: row.sealed_at,
    handedOverAt: row.handed_over_at ?? null,
    receivedAt: row.received_at ?? null,
    resultedAt: row.recorded_at ?? null,
  };
}

/** The p-th percentile (0–100) of sorted values, nearest rank; null when there are none. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? null;
}

const minutes = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 60_000;
const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

/** Today (the site day, Beijing time) at a lab: tubes received today and their times to result. */
export async function labTurnaround(db: Kysely<Database>, labCode: string, now = new Date()) {
  const day = siteDay(now.toISOString());
  // The site day starts at 00:00 Beijing time (UTC+8).
  const dayStart = siteDayStart(day);
  const rows = await db
    .selectFrom("tube_receipts")
    .innerJoin("tubes", (j) =>
      j.onRef("tubes.site_code", "=", "tube_receipts.site_code").onRef("tubes.code", "=", "tube_receipts.tube_code"),
    )
    .leftJoin("results", (j) =>
      j
        .onRef("results.site_code", "=", "tube_receipts.site_code")
        .onRef("results.tube_code", "=", "tube_receipts.tube_code")
        .on("results.current", "=", 1),
    )
    .select(["tube_receipts.received_at", "tubes.opened_at", "results.recorded_at"])
    .where("tube_receipts.lab_code", "=", labCode)
    .where("tube_receipts.received_at", ">=", dayStart)
    .execute();
  const received: number[] = [];
  const sampled: number[] = [];
  for (const r of rows) {
    if (!r.recorded_at) continue;
    received.push(minutes(r.received_at, r.recorded_at));
    sampled.push(minutes(r.opened_at, r.recorded_at));
  }
  received.sort((a, b) => a - b);
  sampled.sort((a, b) => a - b);
  return {
    labCode,
    day,
    tubes: rows.length,
    receivedToResulted: {
      medianMinutes: round1(percentile(received, 50)),
      p95Minutes: round1(percentile(received, 95)),
    },
    sampledToResulted: { medianMinutes: round1(percentile(sampled, 50)), p95Minutes: round1(percentile(sampled, 95)) },
  };
}
