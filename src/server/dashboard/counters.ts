/**
 * The per-site-per-day counters (table site_day_counts, kept by the triggers of migration 0008) and their recount:
 * the same figures computed again from the stored rows (the projection of every event pushed), compared with the
 * counters, and with `fix` written over them. The recount scans whole tables, so it is for the CLI and for a
 * migration, never for a request.
 */
import { type Kysely, SqliteAdapter, sql } from "kysely";
import type { Database } from "../db/schema";

export const COUNTERS = [
  "registrations",
  "voided",
  "tubes_open",
  "tubes_sealed",
  "tubes_short",
  "tubes_void",
  "boxes_open",
  "boxes_closed",
  "boxes_handed_over",
  "boxes_received",
  "results_negative",
  "results_positive",
  "results_invalid",
  "results_rejected",
] as const;
export type Counter = (typeof COUNTERS)[number];

export const BUCKETS_PER_DAY = 144;

export interface SiteDayCounts {
  siteCode: string;
  day: string;
  counts: Record<Counter, number>;
  /** Registrations (not voided) per ten minutes of the Beijing day. */
  buckets: number[];
  lastRegistrationAt: string | null;
}

// biome-ignore lint/suspicious/noExplicitAny: also used by a migration, which sees the database as it was then
type AnyDb = Kysely<any>;
const isSqlite = (db: AnyDb) => db.getExecutor().adapter instanceof SqliteAdapter;

/** Beijing day and ten-minute bucket of a stored time, in each store's SQL. */
function timeSql(sqlite: boolean) {
  if (sqlite) {
    return {
      day: (t: string) => `date(${t}, '+8 hours')`,
      bucket: (t: string) =>
        `CAST((CAST(strftime('%H', ${t}, '+8 hours') AS integer) * 60 + CAST(strftime('%M', ${t}, '+8 hours') AS integer)) / 10 AS integer)`,
      utc: (t: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${t})`,
    };
  }
  const local = (t: string) => `((${t})::timestamptz AT TIME ZONE 'Asia/Shanghai')`;
  return {
    day: (t: string) => `to_char(${local(t)}, 'YYYY-MM-DD')`,
    bucket: (t: string) => `(extract(hour FROM ${local(t)})::int * 6 + extract(minute FROM ${local(t)})::int / 10)`,
    utc: (t: string) => `to_char((${t})::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  };
}

const emptyCounts = (): Record<Counter, number> =>
  Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;

/** The counters as the stored rows say they should be (whole-table scans, grouped by the store). */
export async function countFromRows(db: AnyDb): Promise<Map<string, SiteDayCounts>> {
  const t = timeSql(isSqlite(db));
  const result = new Map<string, SiteDayCounts>();
  const entry = (siteCode: string, day: string): SiteDayCounts => {
    const key = `${siteCode}\u0000${day}`;
    let found = result.get(key);
    if (!found) {
      found = {
        siteCode,
        day,
        counts: emptyCounts(),
        buckets: Array(BUCKETS_PER_DAY).fill(0),
        lastRegistrationAt: null,
      };
      result.set(key, found);
    }
    return found;
  };
  const grouped = async (query: string, apply: (row: Record<string, unknown>, e: SiteDayCounts) => void) => {
    const { rows } = await sql.raw<Record<string, unknown>>(query).execute(db);
    for (const row of rows) apply(row, entry(String(row.site_code), String(row.day)));
  };
  const n = (v: unknown) => Number(v ?? 0);

  await grouped(
    `SELECT site_code, ${t.day("registered_at")} AS day, ${t.bucket("registered_at")} AS bucket,
       sum(CASE WHEN voided_at IS NULL THEN 1 ELSE 0 END) AS active,
       sum(CASE WHEN voided_at IS NULL THEN 0 ELSE 1 END) AS voided,
       max(${t.utc("registered_at")}) AS last_at
     FROM registrations GROUP BY 1, 2, 3`,
    (row, e) => {
      e.counts.registrations += n(row.active);
      e.counts.voided += n(row.voided);
      e.buckets[n(row.bucket)] = (e.buckets[n(row.bucket)] ?? 0) + n(row.active);
      const last = String(row.last_at);
      if (!e.lastRegistrationAt || last > e.lastRegistrationAt) e.lastRegistrationAt = last;
    },
  );
  await grouped(
    `SELECT site_code, ${t.day("opened_at")} AS day,
       sum(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS tubes_open,
       sum(CASE WHEN status = 'sealed' THEN 1 ELSE 0 END) AS tubes_sealed,
       sum(CASE WHEN status = 'sealed' AND short = 1 THEN 1 ELSE 0 END) AS tubes_short,
       sum(CASE WHEN status = 'void' THEN 1 ELSE 0 END) AS tubes_void
     FROM tubes GROUP BY 1, 2`,
    (row, e) => {
      for (const c of ["tubes_open", "tubes_sealed", "tubes_short", "tubes_void"] as const) e.counts[c] += n(row[c]);
    },
  );
  await grouped(
    `SELECT site_code, ${t.day("opened_at")} AS day,
       sum(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS boxes_open,
       sum(CASE WHEN status = 'closed' THEN 1 ELSE 0 END) AS boxes_closed,
       sum(CASE WHEN status = 'handed_over' THEN 1 ELSE 0 END) AS boxes_handed_over
     FROM boxes GROUP BY 1, 2`,
    (row, e) => {
      for (const c of ["boxes_open", "boxes_closed", "boxes_handed_over"] as const) e.counts[c] += n(row[c]);
    },
  );
  await grouped(
    `SELECT r.site_code, ${t.day("b.opened_at")} AS day, count(*) AS boxes_received
     FROM box_receipts r JOIN boxes b ON b.site_code = r.site_code AND b.code = r.box_code GROUP BY 1, 2`,
    (row, e) => {
      e.counts.boxes_received += n(row.boxes_received);
    },
  );
  await grouped(
    `SELECT r.site_code, ${t.day("tb.opened_at")} AS day, r.outcome, count(*) AS results
     FROM results r JOIN tubes tb ON tb.site_code = r.site_code AND tb.code = r.tube_code
     WHERE r.current = 1 GROUP BY 1, 2, 3`,
    (row, e) => {
      const column = `results_${String(row.outcome)}` as Counter;
      if (COUNTERS.includes(column)) e.counts[column] += n(row.results);
    },
  );
  return result;
}

/** The counters as stored. */
export async function storedCounts(db: AnyDb): Promise<Map<string, SiteDayCounts>> {
  const rows = await db.selectFrom("site_day_counts").selectAll().execute();
  const result = new Map<string, SiteDayCounts>();
  for (const row of rows) {
    const counts = emptyCounts();
    for (const c of COUNTERS) counts[c] = Number(row[c]);
    result.set(`${row.site_code}\u0000${row.day}`, {
      siteCode: row.site_code,
      day: row.day,
      counts,
      buckets: bucketsOf(row.buckets),
      lastRegistrationAt: row.last_registration_at,
    });
  }
  return result;
}

/** SQLite keeps the buckets as JSON text, PostgreSQL as integer[]. */
export function bucketsOf(stored: unknown): number[] {
  const list = typeof stored === "string" ? (JSON.parse(stored) as unknown[]) : (stored as unknown[]);
  return Array.from({ length: BUCKETS_PER_DAY }, (_, i) => Number(list?.[i] ?? 0));
}

export interface CounterDifference {
  siteCode: string;
  day: string;
  /** What differs: a counter's name, "buckets" or "last_registration_at", with the stored and the recounted value. */
  field: string;
  stored: number | string | null;
  recounted: number | string | null;
}

function differences(stored: Map<string, SiteDayCounts>, recounted: Map<string, SiteDayCounts>): CounterDifference[] {
  const found: CounterDifference[] = [];
  for (const key of new Set([...stored.keys(), ...recounted.keys()])) {
    const s = stored.get(key);
    const r = recounted.get(key);
    const any = (s ?? r) as SiteDayCounts;
    for (const c of COUNTERS) {
      const a = s?.counts[c] ?? 0;
      const b = r?.counts[c] ?? 0;
      if (a !== b) found.push({ siteCode: any.siteCode, day: any.day, field: c, stored: a, recounted: b });
    }
    const sb = (s?.buckets ?? []).join(",");
    const rb = (r?.buckets ?? []).join(",");
    const zero = Array(BUCKETS_PER_DAY).fill(0).join(",");
    if ((sb || zero) !== (rb || zero)) {
      found.push({ siteCode: any.siteCode, day: any.day, field: "buckets", stored: sb || zero, recounted: rb || zero });
    }
    const sl = s?.lastRegistrationAt ?? null;
    const rl = r?.lastRegistrationAt ?? null;
    // A voided registration may have been the last: the counter keeps its time, the recount too (max over all).
    if (sl !== rl)
      found.push({ siteCode: any.siteCode, day: any.day, field: "last_registration_at", stored: sl, recounted: rl });
  }
  return found;
}

/**
 * Recounts every site and day from the stored rows and compares. With `fix`, the counters are replaced by the
 * recount in the same transaction, which first locks the counters so that no push changes them meanwhile.
 */
export async function recount(db: AnyDb, options: { fix?: boolean } = {}): Promise<CounterDifference[]> {
  const sqlite = isSqlite(db);
  return db.transaction().execute(async (trx) => {
    if (!sqlite) await sql`LOCK TABLE site_day_counts IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
    const recounted = await countFromRows(trx);
    const found = differences(await storedCounts(trx), recounted);
    if (options.fix && found.length > 0) await replaceCounts(trx, recounted, sqlite);
    return found;
  });
}

/** Counts the rows stored before the counters existed (migration 0008, inside its own transaction). */
export async function countExistingRows(db: AnyDb): Promise<void> {
  const counts = await countFromRows(db);
  if (counts.size > 0) await replaceCounts(db, counts, isSqlite(db));
}

async function replaceCounts(trx: AnyDb, counts: Map<string, SiteDayCounts>, sqlite: boolean): Promise<void> {
  await trx.deleteFrom("site_day_counts").execute();
  const rows = [...counts.values()].map((e) => ({
    site_code: e.siteCode,
    day: e.day,
    ...e.counts,
    last_registration_at: e.lastRegistrationAt,
    buckets: sqlite ? JSON.stringify(e.buckets) : sql`${`{${e.buckets.join(",")}}`}::integer[]`,
  }));
  for (let i = 0; i < rows.length; i += 200) {
    await trx
      .insertInto("site_day_counts")
      .values(rows.slice(i, i + 200))
      .execute();
  }
}
