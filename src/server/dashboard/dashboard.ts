/**
 * The command centre's dashboard at one level (city, a district, a street, a site) for a day or a round: figures
 * from the per-site-per-day counters (never the registrations table), children to drill into, registrations per ten
 * minutes, the sites with their rate and last registration, devices, conflicts, and lab turnaround.
 */
import { type Kysely, type SelectQueryBuilder, SqliteAdapter, sql } from "kysely";
import {
  type Dashboard,
  type DashboardQuery,
  type Figures,
  type Level,
  type Round,
  SILENT_AFTER_MINUTES,
  STALE_DEVICE_AFTER_MINUTES,
} from "../../domain/command";
import { MAX_CLOCK_SKEW_MS } from "../../domain/limits";
import { siteDay, siteDayStart } from "../../domain/siteDay";
import type { Database } from "../db/schema";
import { ApiError } from "../errors";
import { labTurnaround } from "../labs/turnaround";
import { BUCKETS_PER_DAY, COUNTERS, type Counter } from "./counters";

/** The buckets as JSON text (both stores, see the query). */
const rawBuckets = (stored: string): number[] => JSON.parse(stored) as number[];
const isSqlite = (db: Kysely<Database>) => db.getExecutor().adapter instanceof SqliteAdapter;

/** Who asks: an admin of the city (district null) or of one district. */
export interface DashboardViewer {
  district: string | null;
}

export interface Scope {
  level: Level;
  district: string | null;
  street: string | null;
  site: string | null;
}

const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
/** The ten-minute bucket of a moment in its Beijing day. */
const bucketOf = (now: Date) =>
  Math.floor((now.getTime() - Date.parse(siteDayStart(siteDay(now.toISOString())))) / 600_000);

export async function listRounds(db: Kysely<Database>): Promise<Round[]> {
  const rows = await db.selectFrom("rounds").selectAll().orderBy("starts_on", "desc").execute();
  return rows.map((r) => ({ id: r.id, name: r.name, startsOn: r.starts_on, endsOn: r.ends_on }));
}

/** The days a query asks about: a round's (404 for an unknown one), or one day (default today, in Beijing). */
export async function resolvePeriod(
  db: Kysely<Database>,
  query: { round?: string | undefined; day?: string | undefined },
  now: Date,
): Promise<{ today: string; rounds: Round[]; round: Round | null; from: string; to: string }> {
  const today = siteDay(now.toISOString());
  const rounds = await listRounds(db);
  let round: Round | null = null;
  if (query.round) {
    round = rounds.find((r) => r.id === query.round) ?? null;
    if (!round) throw new ApiError(404, "unknown_round", `There is no round ${query.round}.`);
  }
  return {
    today,
    rounds,
    round,
    from: round ? round.startsOn : (query.day ?? today),
    to: round ? round.endsOn : (query.day ?? today),
  };
}

/** The scope asked for, within the viewer's district; 403 outside it, 404 for a place that has no site. */
export async function resolveScope(
  db: Kysely<Database>,
  viewer: DashboardViewer,
  query: DashboardQuery,
): Promise<Scope> {
  let district = query.district ?? null;
  let street = query.street ?? null;
  const site = query.site ?? null;
  if (site) {
    const row = await db.selectFrom("sites").select(["district", "street"]).where("code", "=", site).executeTakeFirst();
    if (!row) throw new ApiError(404, "unknown_site", `There is no site ${site}.`);
    if ((district !== null && district !== row.district) || (street !== null && street !== row.street)) {
      throw new ApiError(400, "site_elsewhere", `Site ${site} is in ${row.district} ${row.street}.`);
    }
    district = row.district;
    street = row.street;
  }
  if (street !== null && district === null) {
    throw new ApiError(400, "street_needs_district", "Name the district of the street too.");
  }
  if (viewer.district !== null) {
    if (district !== null && district !== viewer.district) {
      throw new ApiError(403, "other_district", `This account sees district ${viewer.district} only.`);
    }
    district = viewer.district;
  }
  if (!site && district !== null) {
    let known = db.selectFrom("sites").select("code").where("district", "=", district);
    if (street !== null) known = known.where("street", "=", street);
    if (!(await known.executeTakeFirst())) {
      throw new ApiError(404, street !== null ? "unknown_street" : "unknown_district", "No site is in that place.");
    }
  }
  const level: Level = site ? "site" : street !== null ? "street" : district !== null ? "district" : "city";
  return { level, district, street, site };
}

// biome-ignore lint/suspicious/noExplicitAny: the scope filter applies to any query that joins sites as "s"
export function inScope<Q extends SelectQueryBuilder<any, any, any>>(query: Q, scope: Scope): Q {
  let q = query;
  if (scope.district !== null) q = q.where("s.district", "=", scope.district) as Q;
  if (scope.street !== null) q = q.where("s.street", "=", scope.street) as Q;
  if (scope.site !== null) q = q.where("s.code", "=", scope.site) as Q;
  return q;
}

type Totals = Record<Counter, number> & { lastHour: number };
const emptyTotals = (): Totals => ({ ...Object.fromEntries(COUNTERS.map((c) => [c, 0])), lastHour: 0 }) as Totals;
const addInto = (into: Totals, from: Totals) => {
  for (const c of COUNTERS) into[c] += from[c];
  into.lastHour += from.lastHour;
};

function figuresOf(t: Totals): Figures {
  const resulted = t.results_negative + t.results_positive + t.results_invalid + t.results_rejected;
  return {
    registrations: t.registrations,
    voided: t.voided,
    lastHour: t.lastHour,
    tubes: { open: t.tubes_open, sealed: t.tubes_sealed, short: t.tubes_short, void: t.tubes_void },
    boxes: {
      packing: t.boxes_open,
      packed: t.boxes_closed,
      handedOver: t.boxes_handed_over,
      received: t.boxes_received,
    },
    results: {
      negative: t.results_negative,
      positive: t.results_positive,
      invalid: t.results_invalid,
      rejected: t.results_rejected,
      pending: Math.max(0, t.tubes_sealed - resulted),
    },
  };
}

/** Lab turnaround reads a day of receipts per lab: computed at most once a minute, not on every poll. */
const TURNAROUND_TTL_MS = 60_000;
const turnaroundCache = new WeakMap<object, { at: number; labs: Dashboard["labs"] }>();

async function labsTurnaround(db: Kysely<Database>, now: Date): Promise<Dashboard["labs"]> {
  const cached = turnaroundCache.get(db);
  if (cached && now.getTime() - cached.at < TURNAROUND_TTL_MS) return cached.labs;
  const labs = await db.selectFrom("labs").select(["code", "name"]).orderBy("code").execute();
  const result = [];
  for (const lab of labs) result.push({ ...(await labTurnaround(db, lab.code, now)), name: lab.name });
  turnaroundCache.set(db, { at: now.getTime(), labs: result });
  return result;
}

export async function dashboard(
  db: Kysely<Database>,
  viewer: DashboardViewer,
  query: DashboardQuery,
  now = new Date(),
): Promise<Dashboard> {
  const scope = await resolveScope(db, viewer, query);
  const { today, rounds, round, from, to } = await resolvePeriod(db, query, now);
  const roundRunning = rounds.some((r) => r.startsOn <= today && today <= r.endsOn);
  const live = from <= today && today <= to;

  const sites = await inScope(
    db.selectFrom("sites as s").select(["s.code", "s.name", "s.district", "s.street"]),
    scope,
  ).execute();
  // Sorted here, not by the store: PostgreSQL's collation and SQLite's byte order differ for Chinese names.
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  sites.sort((a, b) => byText(a.district, b.district) || byText(a.street, b.street) || byText(a.code, b.code));

  // The period's counter rows, and today's and yesterday's for the last hour.
  const yesterday = addDays(today, -1);
  const rows = await inScope(
    db
      .selectFrom("site_day_counts as c")
      .innerJoin("sites as s", "s.code", "c.site_code")
      .select([
        "c.site_code",
        "c.day",
        "c.last_registration_at",
        ...COUNTERS.map((c) => `c.${c}` as const),
        // PostgreSQL's integer[] as JSON text: one JSON.parse per row instead of node-postgres's array parser,
        // several times faster for a round's thousands of rows of 144 numbers.
        (isSqlite(db) ? sql<string>`c.buckets` : sql<string>`'[' || array_to_string(c.buckets, ',') || ']'`).as(
          "buckets",
        ),
      ])
      .where((eb) =>
        eb.or([eb.and([eb("c.day", ">=", from), eb("c.day", "<=", to)]), eb("c.day", "in", [today, yesterday])]),
      ),
    scope,
  ).execute();

  const currentBucket = bucketOf(now);
  const days: string[] = [];
  for (let d = from; d <= to && days.length < 31; d = addDays(d, 1)) days.push(d);
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const chartLength =
    live && to === today ? (days.length - 1) * BUCKETS_PER_DAY + currentBucket + 1 : days.length * BUCKETS_PER_DAY;

  // Children: districts of the city, streets of a district, sites of a street (a site is its own one line).
  const childOf = (site: (typeof sites)[number]): { level: Level; key: string; label: string } => {
    if (scope.level === "city") return { level: "district", key: site.district, label: site.district || "—" };
    if (scope.level === "district") return { level: "street", key: site.street, label: site.street || "—" };
    return { level: "site", key: site.code, label: site.name };
  };
  // Each site adds straight into its child's line (typed arrays: a round at city level is a million additions).
  const children = new Map<
    string,
    { level: Level; key: string; label: string; totals: Totals; buckets: Float64Array }
  >();
  const perSite = new Map<string, { totals: Totals; last: string | null; line: Float64Array }>();
  for (const site of sites) {
    const child = childOf(site);
    let group = children.get(child.key);
    if (!group) {
      group = { ...child, totals: emptyTotals(), buckets: new Float64Array(chartLength) };
      children.set(child.key, group);
    }
    perSite.set(site.code, { totals: emptyTotals(), last: null, line: group.buckets });
  }
  for (const row of rows) {
    const entry = perSite.get(row.site_code);
    if (!entry) continue;
    const buckets = rawBuckets(row.buckets);
    // The last hour belongs to a period that holds today; another day's figures have none.
    if (live && row.day === today) {
      for (let b = Math.max(0, currentBucket - 5); b <= currentBucket; b++) entry.totals.lastHour += buckets[b] ?? 0;
    } else if (live && row.day === yesterday && currentBucket < 5) {
      for (let b = BUCKETS_PER_DAY - (5 - currentBucket); b < BUCKETS_PER_DAY; b++) {
        entry.totals.lastHour += buckets[b] ?? 0;
      }
    }
    const index = dayIndex.get(row.day);
    if (index === undefined) continue;
    if (row.last_registration_at && (!entry.last || row.last_registration_at > entry.last)) {
      entry.last = row.last_registration_at;
    }
    for (const c of COUNTERS) entry.totals[c] += Number(row[c]);
    const offset = index * BUCKETS_PER_DAY;
    const end = Math.min(BUCKETS_PER_DAY, chartLength - offset);
    const line = entry.line;
    for (let b = 0; b < end; b++) line[offset + b] = (line[offset + b] as number) + (buckets[b] ?? 0);
  }
  const total = emptyTotals();
  for (const site of sites) {
    const entry = perSite.get(site.code);
    if (!entry) continue;
    addInto(total, entry.totals);
    addInto((children.get(childOf(site).key) as { totals: Totals }).totals, entry.totals);
  }

  const silentBefore = new Date(now.getTime() - SILENT_AFTER_MINUTES * 60_000).toISOString();
  const siteRows = sites.map((site) => {
    const entry = perSite.get(site.code);
    const last = entry?.last ?? null;
    return {
      code: site.code,
      name: site.name,
      district: site.district,
      street: site.street,
      registrations: entry?.totals.registrations ?? 0,
      ratePerHour: entry?.totals.lastHour ?? 0,
      lastRegistrationAt: last,
      silent: roundRunning && live && (last === null || last < silentBefore),
    };
  });

  return {
    scope: {
      level: scope.level,
      district: scope.district,
      street: scope.street,
      site: scope.site ? { code: scope.site, name: sites[0]?.name ?? scope.site } : null,
    },
    period: { from, to, round, today },
    roundRunning,
    figures: figuresOf(total),
    children:
      scope.level === "site"
        ? []
        : [...children.values()].map((c) => ({
            level: c.level,
            key: c.key,
            label: c.label,
            figures: figuresOf(c.totals),
          })),
    chart: {
      start: siteDayStart(from),
      bucketMinutes: 10,
      series: [...children.values()].map((c) => ({ key: c.key, label: c.label, counts: Array.from(c.buckets) })),
    },
    sites: siteRows,
    devices: await devicesOf(db, scope, now, roundRunning && live),
    conflicts: await conflictsOf(db, scope),
    labs: await labsTurnaround(db, now),
    rounds,
    generatedAt: now.toISOString(),
  };
}

const DEVICE_LIST_LIMIT = 200;
/** A clock this far off (either way) marks its device: the conflicts' own threshold for a wrong clock. */
const SKEWED_MS = MAX_CLOCK_SKEW_MS;
const CONFLICT_LIST_LIMIT = 100;

async function devicesOf(db: Kysely<Database>, scope: Scope, now: Date, live: boolean): Promise<Dashboard["devices"]> {
  const staleBefore = new Date(now.getTime() - STALE_DEVICE_AFTER_MINUTES * 60_000).toISOString();
  const drainingBefore = new Date(now.getTime() - 5 * 60_000).toISOString();
  const base = inScope(db.selectFrom("devices as d").innerJoin("sites as s", "s.code", "d.site_code"), scope);
  const staleWhere = (q: typeof base) =>
    q.where((eb) =>
      eb.or([
        ...(live ? [eb("d.last_seen_at", "<", staleBefore)] : []),
        eb.and([eb("d.reported_pending", ">", 0), eb("d.last_seen_at", "<", drainingBefore)]),
        // A wrong clock puts its registrations at the wrong time: it needs someone too.
        eb("d.clock_skew_ms", ">", SKEWED_MS),
        eb("d.clock_skew_ms", "<", -SKEWED_MS),
      ]),
    );
  const [{ total }] = (await base.select((eb) => eb.fn.countAll<number | string>().as("total")).execute()) as [
    { total: number | string },
  ];
  const [{ stale }] = (await staleWhere(base)
    .select((eb) => eb.fn.countAll<number | string>().as("stale"))
    .execute()) as [{ stale: number | string }];
  const list = await base
    .innerJoin("staff as st", "st.id", "d.staff_id")
    .select(["d.id", "d.site_code", "st.name", "d.last_seen_at", "d.reported_pending", "d.clock_skew_ms"])
    .orderBy("d.last_seen_at", "asc")
    .limit(DEVICE_LIST_LIMIT)
    .execute();
  return {
    total: Number(total),
    stale: Number(stale),
    list: list.map((d) => {
      const queued = d.reported_pending === null ? null : Number(d.reported_pending);
      return {
        id: d.id,
        siteCode: d.site_code,
        staffName: d.name,
        lastSyncAt: d.last_seen_at,
        queuedEvents: queued,
        clockSkewSeconds: d.clock_skew_ms === null ? null : Math.round(Number(d.clock_skew_ms) / 1000),
        stale:
          (live && d.last_seen_at < staleBefore) ||
          ((queued ?? 0) > 0 && d.last_seen_at < drainingBefore) ||
          Math.abs(Number(d.clock_skew_ms ?? 0)) > SKEWED_MS,
      };
    }),
  };
}

async function conflictsOf(db: Kysely<Database>, scope: Scope): Promise<Dashboard["conflicts"]> {
  const rows = await inScope(
    db
      .selectFrom("conflicts as c")
      .innerJoin("sites as s", "s.code", "c.site_code")
      .select(["c.site_code", "c.kind", "c.subject", "c.detail", "c.detected_at"]),
    scope,
  )
    .orderBy("c.detected_at", "desc")
    .limit(CONFLICT_LIST_LIMIT)
    .execute();
  return rows.map((r) => ({
    siteCode: r.site_code,
    kind: r.kind,
    subject: r.subject,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
    detectedAt: r.detected_at,
  }));
}
