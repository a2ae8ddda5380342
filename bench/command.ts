/**
 * npm run bench:command — the command centre at Yantai's scale (a round of 1,400 sites over 5 days), on SQLite and
 * (when DATABASE_URL is set) PostgreSQL. Seeds registrations in bulk with server-side SQL (not through the API:
 * 13,000,000 on PostgreSQL, 2,000,000 on SQLite by default; tubes of 10, sealed; boxes of 100 tubes handed over), spread
 * over 5 Beijing days ending today and their ten-minute buckets, then starts the real server process and measures over
 * HTTP:
 *   - the dashboard at every level (city, a district, a street, a site for today; the city for the whole round), p50
 *     and p95, while phones push 1,000 events/s in parallel (tubes opened, filled with registrations and sealed);
 *   - an export of about 1,000,000 registrations as CSV and as XLSX, read to the end and thrown away, each timed,
 *     with the server process's peak RSS during it.
 *
 *   npm run bench:command -- [--registrations N] [--store sqlite|postgres|both] [--requests 40] [--rate 1000]
 *                            [--small] [--port N] [--json]
 * --small: 20,000 registrations at 16 sites, 8 requests per level (the CI smoke run; explicit options win).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { type Kysely, sql } from "kysely";
import { idCheckCharacter } from "../src/domain/documents";
import type { SampleEvent } from "../src/domain/events";
import { type LoginResponse, MAX_PUSH_EVENTS, type PushResponse } from "../src/domain/protocol";
import { siteDay } from "../src/domain/siteDay";
import { type EventStream, eventStream } from "../src/domain/testEvents";
import { recount } from "../src/server/dashboard/counters";
import { openStore, type StoreKind } from "../src/server/db";
import type { Database } from "../src/server/db/schema";
import { createLab } from "../src/server/labs/labs";
import { type ServerProcess, startServerProcess } from "../src/server/serverProcess";
import { createSite, createStaff } from "../src/server/sites/sites";
import { freePort, portOption } from "./freePort";
import { mb, statusKb, watchMemory } from "./memory";
import { median, p95 } from "./stats";

const { values: args } = parseArgs({
  options: {
    registrations: { type: "string" },
    store: { type: "string", default: "both" },
    requests: { type: "string" },
    rate: { type: "string" },
    port: { type: "string" },
    small: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const small = args.small;
const databaseUrl = process.env.DATABASE_URL || undefined;
const stores: StoreKind[] =
  args.store === "both" ? (databaseUrl ? ["sqlite", "postgres"] : ["sqlite"]) : [args.store as StoreKind];
if (stores.includes("postgres") && !databaseUrl) throw new Error("--store postgres needs DATABASE_URL");
if (args.store === "both" && !databaseUrl) console.error("DATABASE_URL is not set: PostgreSQL is NOT measured.");

/** Yantai's districts: 14 of them, as in its round of 1,400 sites. */
const DISTRICT_NAMES = [
  "芝罘区",
  "福山区",
  "牟平区",
  "莱山区",
  "蓬莱区",
  "龙口市",
  "莱阳市",
  "莱州市",
  "招远市",
  "栖霞市",
  "海阳市",
  "长岛综合试验区",
  "经济技术开发区",
  "高新技术产业开发区",
];
const STREET_NAMES = ["向阳", "东山", "毓璜顶", "通伸", "凤凰台", "奇山", "白石", "只楚", "世回尧", "幸福"];
const DISTRICTS = small ? 4 : 14;
const STREETS_PER_DISTRICT = small ? 2 : 10;
const SITES_PER_STREET = small ? 2 : 10;
const SITES = DISTRICTS * STREETS_PER_DISTRICT * SITES_PER_STREET;
const DAYS = 5;
const PER_TUBE = 10;
const TUBES_PER_BOX = 100;
/** One registration in this many is voided (the dashboard and the export show voided ones too). */
const VOID_EVERY = 997;
/** One site in 25 stopped registering an hour ago: silent on the dashboard, as some are in a real round. */
const isSilentSite = (s: number) => s % 25 === 7;
const isSilentSiteSql = (s: string) => `${s} % 25 = 7`;
/** The seeded registrations end this long before the seeding began: at live sites, and at silent ones. */
const LIVE_SITE_QUIET_MS = 120_000;
const SILENT_SITE_QUIET_MS = 3_600_000;
const registrationsFor = (kind: StoreKind) =>
  Number(args.registrations ?? (small ? 20_000 : kind === "postgres" ? 13_000_000 : 2_000_000));
const REQUESTS_PER_LEVEL = Number(args.requests ?? (small ? 8 : 40));
/**
 * Untimed requests per level first, and at least this long with the phones pushing before the timed ones: the
 * server's first answers include compiling its code paths, and the first pushes of each phone are not steady yet.
 */
const WARM_UP_REQUESTS = 2;
const WARM_UP_MS = small ? 1_000 : 5_000;
const PUSH_RATE = Number(args.rate ?? 1_000);
const PUSH_SITES = small ? 4 : 20;
const PHONES_PER_SITE = 2;
const EXPORT_ROWS = 1_000_000;
const LAB = "LAB01";
const PASSWORD = "bench-password-1";
const TARGETS = { dashboardP95Ms: 200, csvSecondsPer1M: 20, xlsxSecondsPer1M: 90, peakRssMb: 300 };

const siteCode = (s: number) => `YT${String(s).padStart(4, "0")}`;
const SITES_PER_DISTRICT = STREETS_PER_DISTRICT * SITES_PER_STREET;
const districtOf = (s: number) => DISTRICT_NAMES[Math.floor(s / SITES_PER_DISTRICT)] as string;
const streetOf = (s: number) => {
  const street = Math.floor(s / SITES_PER_STREET) % STREETS_PER_DISTRICT;
  return `${STREET_NAMES[street % STREET_NAMES.length]}${street >= STREET_NAMES.length ? street + 1 : ""}街道`;
};
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** A valid mainland ID number for resident n (the seeding SQL computes the same one). */
function idNumber(n: number): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + (n % 20_000) * 86_400_000)
    .toISOString()
    .slice(0, 10)
    .replaceAll("-", "");
  const first17 = `370602${birth}${String(Math.floor(n / 20_000) % 1000).padStart(3, "0")}`;
  return first17 + idCheckCharacter(first17);
}
const NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵丽颖", "阿依古丽·买买提"];
const COMMUNITIES = ["幸福里社区", "向阳社区", "东山社区", "海港路社区"];

// ---------- bulk seeding in SQL ----------

/** What differs between the stores in the seeding SQL. */
interface SeedDialect {
  /** Decimal text of an integer, zero-padded to `width`. */
  pad(expr: string, width: number): string;
  /** Milliseconds since the epoch → ISO-8601 UTC text as toISOString writes it (what every stored time looks like). */
  isoTime(ms: string): string;
  /** 1950-01-01 plus `days` as YYYYMMDD. */
  birthDate(days: string): string;
  /** The digit at 1-based `position` of a text, as an integer. */
  digit(text: string, position: number): string;
  /** A query of one column `n`: the integers from..to inclusive. */
  numbers(from: number, to: number): string;
}

const POSTGRES_SQL: SeedDialect = {
  pad: (expr, width) => `lpad((${expr})::text, ${width}, '0')`,
  isoTime: (ms) => `to_char(timestamp 'epoch' + (${ms}) * interval '1 millisecond', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  birthDate: (days) => `to_char(date '1950-01-01' + (${days})::int, 'YYYYMMDD')`,
  digit: (text, position) => `substr(${text}, ${position}, 1)::int`,
  numbers: (from, to) => `SELECT n FROM generate_series(${from}::bigint, ${to}::bigint) AS g(n)`,
};

const SQLITE_SQL: SeedDialect = {
  pad: (expr, width) => `substr('${"0".repeat(width)}' || (${expr}), -${width})`,
  // Whole seconds by strftime, milliseconds by integer arithmetic: exact, with no floating-point rounding.
  isoTime: (ms) =>
    `(strftime('%Y-%m-%dT%H:%M:%S', (${ms}) / 1000, 'unixepoch') || '.' || substr('000' || ((${ms}) % 1000), -3) || 'Z')`,
  birthDate: (days) => `strftime('%Y%m%d', '1950-01-01', '+' || (${days}) || ' days')`,
  digit: (text, position) => `CAST(substr(${text}, ${position}, 1) AS integer)`,
  numbers: (from, to) =>
    `WITH RECURSIVE g(n) AS (SELECT ${from} UNION ALL SELECT n + 1 FROM g WHERE n < ${to}) SELECT n FROM g`,
};

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const caseOf = (expr: string, texts: string[]) =>
  `CASE ${expr} ${texts.map((t, i) => (i < texts.length - 1 ? `WHEN ${i} THEN '${t}'` : `ELSE '${t}'`)).join(" ")} END`;

/**
 * Where the seeded rows fall. Registration n is member n % 10 of tube t = n / 10; tube t belongs to site t % SITES
 * (so every site fills alike) as its tube j = t / SITES; a site's tubes are opened evenly from the first day's
 * midnight to two minutes before the seeding began (an hour before at silent sites), members 10 s apart.
 */
interface SeedLayout {
  registrations: number;
  tubes: number;
  /** Tubes of the busiest site (the spacing of its tubes in time). */
  tubesPerSite: number;
  startMs: number;
  nowMs: number;
  staffId: string;
}

function layoutOf(registrations: number, firstDay: string, staffId: string): SeedLayout {
  const tubes = Math.ceil(registrations / PER_TUBE);
  return {
    registrations,
    tubes,
    tubesPerSite: Math.ceil(tubes / SITES),
    startMs: Date.parse(`${firstDay}T00:00:00+08:00`),
    nowMs: Date.now(),
    staffId,
  };
}

/** The opening time (ms) of site s's tube j. */
const tubeTimeSql = (layout: SeedLayout, s: string, j: string) =>
  `(${layout.startMs} + ${j} * ((${layout.nowMs} - CASE WHEN ${isSilentSiteSql(s)} THEN ${SILENT_SITE_QUIET_MS} ELSE ${LIVE_SITE_QUIET_MS} END) - ${layout.startMs}) / ${layout.tubesPerSite})`;
const siteCodeSql = (d: SeedDialect, s: string) => `('YT' || ${d.pad(s, 4)})`;

function registrationsSql(d: SeedDialect, layout: SeedLayout, from: number, to: number): string {
  const checksum = ID_WEIGHTS.map((w, i) => `${d.digit("first17", i + 1)} * ${w}`).join(" + ");
  const member = `SELECT n, n / ${PER_TUBE} AS t, n % ${PER_TUBE} AS k FROM (${d.numbers(from, to)}) AS g0`;
  const placed = `SELECT n, k, t, t % ${SITES} AS s, t / ${SITES} AS j,
      '370602' || ${d.birthDate("n % 20000")} || ${d.pad("(n / 20000) % 1000", 3)} AS first17 FROM (${member}) AS g1`;
  const timed = `SELECT n, s, t, first17, ${tubeTimeSql(layout, "s", "j")} + k * 10000 AS at_ms FROM (${placed}) AS g2`;
  const voided = `n % ${VOID_EVERY} = 0`;
  return `INSERT INTO registrations (id, site_code, tube_code, name, doc_type, doc_number, phone, community,
      registered_at, device_id, staff_id, event_id, voided_at, void_reason, repeat_reason)
    SELECT '00000000-0000-4000-8000-' || ${d.pad("n", 12)}, ${siteCodeSql(d, "s")}, 'T' || ${d.pad("t", 10)},
      ${caseOf(`n % ${NAMES.length}`, NAMES)}, 'ID', first17 || substr('10X98765432', (${checksum}) % 11 + 1, 1),
      '139' || ${d.pad("n % 100000000", 8)}, ${caseOf(`n % ${COMMUNITIES.length}`, COMMUNITIES)},
      ${d.isoTime("at_ms")}, 'seed-' || ${siteCodeSql(d, "s")}, '${layout.staffId}',
      '00000000-0000-4000-9000-' || ${d.pad("n", 12)},
      CASE WHEN ${voided} THEN ${d.isoTime("at_ms + 60000")} END, CASE WHEN ${voided} THEN '信息录入错误' END, NULL
    FROM (${timed}) AS g3`;
}

function tubesSql(d: SeedDialect, layout: SeedLayout, from: number, to: number): string {
  const placed = `SELECT n AS t, n % ${SITES} AS s, n / ${SITES} AS j,
      CASE WHEN ${layout.registrations} - n * ${PER_TUBE} < ${PER_TUBE} THEN ${layout.registrations} - n * ${PER_TUBE}
        ELSE ${PER_TUBE} END AS members
    FROM (${d.numbers(from, to)}) AS g0`;
  const timed = `SELECT t, s, j, members, ${tubeTimeSql(layout, "s", "j")} AS at_ms FROM (${placed}) AS g1`;
  return `INSERT INTO tubes (site_code, code, capacity, status, opened_at, opened_by_device, sealed_at, sealed_count,
      short, box_code, transferred_to, void_reason)
    SELECT ${siteCodeSql(d, "s")}, 'T' || ${d.pad("t", 10)}, ${PER_TUBE}, 'sealed', ${d.isoTime("at_ms")},
      'seed-' || ${siteCodeSql(d, "s")}, ${d.isoTime("at_ms + 100000")}, members,
      CASE WHEN members < ${PER_TUBE} THEN 1 ELSE 0 END, 'BX' || ${d.pad("s", 4)} || '-' || ${d.pad(`j / ${TUBES_PER_BOX}`, 4)},
      NULL, NULL
    FROM (${timed}) AS g2`;
}

/** Every site's boxes of 100 tubes: all handed over to the lab but its last, still open at the site. */
function boxesSql(d: SeedDialect, layout: SeedLayout): string {
  const boxesPerSite = Math.ceil(layout.tubesPerSite / TUBES_PER_BOX);
  const siteTubes = `((${layout.tubes} - 1 - s) / ${SITES} + 1)`;
  const placed = `SELECT n % ${SITES} AS s, n / ${SITES} AS b FROM (${d.numbers(0, SITES * boxesPerSite - 1)}) AS g0`;
  const sized = `SELECT s, b, ${siteTubes} AS site_tubes, (${siteTubes} - 1) / ${TUBES_PER_BOX} AS last_box
    FROM (${placed}) AS g1 WHERE s < ${layout.tubes} AND b * ${TUBES_PER_BOX} < ${siteTubes}`;
  const lastTube = `CASE WHEN (b + 1) * ${TUBES_PER_BOX} < site_tubes THEN (b + 1) * ${TUBES_PER_BOX} - 1 ELSE site_tubes - 1 END`;
  const timed = `SELECT s, b, last_box, ${tubeTimeSql(layout, "s", `b * ${TUBES_PER_BOX}`)} AS opened_ms,
      ${tubeTimeSql(layout, "s", lastTube)} AS last_tube_ms, ${lastTube} - b * ${TUBES_PER_BOX} + 1 AS tube_count
    FROM (${sized}) AS g2`;
  const handed = "b < last_box";
  return `INSERT INTO boxes (site_code, code, status, opened_at, opened_by_device, closed_at, tube_count, handed_over_at,
      courier_name, courier_phone, vehicle_plate, destination_lab)
    SELECT ${siteCodeSql(d, "s")}, 'BX' || ${d.pad("s", 4)} || '-' || ${d.pad("b", 4)},
      CASE WHEN ${handed} THEN 'handed_over' ELSE 'open' END, ${d.isoTime("opened_ms")}, 'seed-' || ${siteCodeSql(d, "s")},
      CASE WHEN ${handed} THEN ${d.isoTime("last_tube_ms + 100000")} END, CASE WHEN ${handed} THEN tube_count END,
      CASE WHEN ${handed} THEN ${d.isoTime("last_tube_ms + 160000")} END, CASE WHEN ${handed} THEN '刘师傅' END,
      CASE WHEN ${handed} THEN '13900001111' END, NULL, CASE WHEN ${handed} THEN '${LAB}' END
    FROM (${timed}) AS g3`;
}

interface Seeded {
  registrations: number;
  /** Not voided: what the dashboard counts. */
  active: number;
  seconds: number;
  method: string;
  firstDay: string;
  today: string;
  roundId: string;
  pushSites: number[];
}

async function seed(db: Kysely<Database>, kind: StoreKind, registrations: number): Promise<Seeded> {
  const started = performance.now();
  const today = siteDay(new Date().toISOString());
  const firstDay = addDays(today, -(DAYS - 1));
  for (let s = 0; s < SITES; s++) {
    await createSite(db, {
      code: siteCode(s),
      name: `${streetOf(s)}第${(s % SITES_PER_STREET) + 1}采样点`,
      poolSize: 10,
      district: districtOf(s),
      street: streetOf(s),
    });
  }
  await createLab(db, { code: LAB, name: "烟台市疾控PCR实验室" });
  await createStaff(db, {
    username: "bench-admin",
    name: "指挥中心",
    role: "admin",
    siteCode: null,
    password: PASSWORD,
  });
  // The seeded registrations' collector: a real staff row, so the export's staff column is filled.
  const staffId = await createStaff(db, {
    username: "bench-seed-collector",
    name: "采样员",
    role: "collector",
    siteCode: siteCode(0),
    password: PASSWORD,
  });
  // The phones' sites, spread over the city (site 0 among them: the site level measured is a live one).
  const pushSites = Array.from({ length: PUSH_SITES }, (_, i) => Math.floor((i * SITES) / PUSH_SITES));
  for (const s of pushSites) {
    await createStaff(db, {
      username: `bench-${siteCode(s).toLowerCase()}`,
      name: "采样员",
      role: "collector",
      siteCode: siteCode(s),
      password: PASSWORD,
    });
  }
  const roundId = `${firstDay}-bench`;
  await db
    .insertInto("rounds")
    .values({
      id: roundId,
      name: "烟台市全员核酸检测",
      starts_on: firstDay,
      ends_on: today,
      created_at: new Date().toISOString(),
    })
    .execute();

  const layout = layoutOf(registrations, firstDay, staffId);
  const dialect = kind === "postgres" ? POSTGRES_SQL : SQLITE_SQL;
  const chunk = kind === "postgres" ? 1_000_000 : 100_000;
  let method: string;
  const insertAll = async (run: (statement: string) => Promise<void>) => {
    for (let from = 0; from < registrations; from += chunk) {
      await run(registrationsSql(dialect, layout, from, Math.min(registrations, from + chunk) - 1));
      process.stderr.write(
        `  [${kind}] seeded ${Math.min(registrations, from + chunk).toLocaleString()} registrations\r`,
      );
    }
    for (let from = 0; from < layout.tubes; from += chunk / PER_TUBE) {
      await run(tubesSql(dialect, layout, from, Math.min(layout.tubes, from + chunk / PER_TUBE) - 1));
    }
    await run(boxesSql(dialect, layout));
    process.stderr.write("\n");
  };
  if (kind === "postgres") {
    // The counters' statement triggers would add a bucket update per site, day and ten minutes to every chunk: they
    // are switched off for this session's bulk insert (session_replication_role = replica, superuser only), and the
    // counters are then built from the rows by the recount (what `npm run cli -- recount --fix` runs).
    const triggersOff = await db.connection().execute(async (connection) => {
      const off = await sql`SET session_replication_role = replica`.execute(connection).then(
        () => true,
        (error: unknown) => {
          console.error(`  [postgres] triggers stay on (${(error as Error).message}): the seeding is slower`);
          return false;
        },
      );
      await insertAll(async (statement) => {
        await sql.raw(statement).execute(connection);
      });
      if (off) await sql`RESET session_replication_role`.execute(connection);
      return off;
    });
    method = "server-side INSERT … SELECT FROM generate_series, 1,000,000 rows a statement";
    if (triggersOff) {
      const recountStarted = performance.now();
      const rebuilt = await recount(db, { fix: true });
      method += `; counter triggers off (session_replication_role = replica), counters then rebuilt by recount --fix (${rebuilt.length.toLocaleString()} differing figures rewritten, ${Math.round((performance.now() - recountStarted) / 1000)} s)`;
    } else method += "; counters kept by the triggers";
    await sql`ANALYZE`.execute(db);
  } else {
    await insertAll(async (statement) => {
      await sql.raw(statement).execute(db);
    });
    method =
      "server-side INSERT … SELECT over a recursive CTE, 100,000 rows a statement; counters kept by the triggers";
  }

  // The SQL's layout and this file's agree (an ID number and a time of one registration, computed both ways).
  const probe = Math.min(registrations - 1, 123_457);
  const row = await db
    .selectFrom("registrations")
    .select(["doc_number", "registered_at"])
    .where("id", "=", `00000000-0000-4000-8000-${String(probe).padStart(12, "0")}`)
    .executeTakeFirstOrThrow();
  const t = Math.floor(probe / PER_TUBE);
  const s = t % SITES;
  const end = layout.nowMs - (isSilentSite(s) ? SILENT_SITE_QUIET_MS : LIVE_SITE_QUIET_MS);
  const at = layout.startMs + Math.floor((Math.floor(t / SITES) * (end - layout.startMs)) / layout.tubesPerSite);
  const expectedAt = new Date(at + (probe % PER_TUBE) * 10_000).toISOString();
  if (row.doc_number !== idNumber(probe) || row.registered_at !== expectedAt) {
    throw new Error(`seeded registration ${probe}: ${JSON.stringify(row)}, expected ${idNumber(probe)} ${expectedAt}`);
  }
  const voided = registrations > 0 ? Math.floor((registrations - 1) / VOID_EVERY) + 1 : 0;
  return {
    registrations,
    active: registrations - voided,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    method,
    firstDay,
    today,
    roundId,
    pushSites,
  };
}

// ---------- the export's filter ----------

interface ExportChoice {
  label: string;
  filter: { district?: string; day?: string };
  /** Registrations it selects as seeded (voided ones included: the export lists them). */
  seededRows: number;
}

/**
 * The filter the API offers (everything, a day, a district, a district on a day) whose row count is nearest to
 * 1,000,000 by ratio, read from the counters: a district of 13,000,000 is about 930,000; a 2,000,000 store is
 * exported whole rather than a day of 400,000.
 */
async function chooseExport(db: Kysely<Database>): Promise<ExportChoice> {
  const rows = await db
    .selectFrom("site_day_counts as c")
    .innerJoin("sites as s", "s.code", "c.site_code")
    .select((eb) => [
      "s.district",
      "c.day",
      eb.fn.sum<number | string>("c.registrations").as("active"),
      eb.fn.sum<number | string>("c.voided").as("voided"),
    ])
    .groupBy(["s.district", "c.day"])
    .execute();
  const candidates = new Map<string, ExportChoice>();
  const add = (label: string, filter: ExportChoice["filter"], count: number) => {
    const found = candidates.get(label) ?? { label, filter, seededRows: 0 };
    found.seededRows += count;
    candidates.set(label, found);
  };
  for (const row of rows) {
    const count = Number(row.active) + Number(row.voided);
    add("the whole store", {}, count);
    add(`day ${row.day}`, { day: row.day }, count);
    add(`district ${row.district}`, { district: row.district }, count);
    add(`district ${row.district} on ${row.day}`, { district: row.district, day: row.day }, count);
  }
  const distance = (c: ExportChoice) => Math.abs(Math.log(Math.max(1, c.seededRows) / EXPORT_ROWS));
  const best = [...candidates.values()].sort((a, b) => distance(a) - distance(b))[0];
  if (!best) throw new Error("nothing to export");
  return best;
}

// ---------- HTTP ----------

/** Kept-alive connections: a new TCP connection per request would be measured too. */
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

interface Answer {
  status: number;
  body: string;
  ms: number;
}

/** One request, timed to the last byte of the answer; null on a network error. */
function send(base: string, method: string, pathname: string, token: string | null, payload?: unknown) {
  const body = payload === undefined ? undefined : JSON.stringify(payload);
  return new Promise<Answer | null>((resolve) => {
    const started = performance.now();
    const req = httpRequest(
      `${base}/api/v1${pathname}`,
      {
        method,
        agent,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(body) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            ms: performance.now() - started,
          }),
        );
        res.on("error", () => resolve(null));
      },
    );
    req.on("error", () => resolve(null));
    req.end(body);
  });
}

async function call<T>(base: string, method: string, pathname: string, token: string | null, payload?: unknown) {
  const answer = await send(base, method, pathname, token, payload);
  if (answer?.status !== 200) {
    throw new Error(`${method} ${pathname}: ${answer ? `${answer.status} ${answer.body.slice(0, 300)}` : "no answer"}`);
  }
  return { value: JSON.parse(answer.body) as T, ms: answer.ms };
}

/** Reads a download to the end, throwing the bytes away: its size and its number of lines. */
function download(url: string): Promise<{ bytes: number; lines: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`GET ${url}: ${res.statusCode}`));
        res.resume();
        return;
      }
      let bytes = 0;
      let lines = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      });
      res.on("end", () => resolve({ bytes, lines }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

// ---------- phones pushing at a steady rate ----------

interface Phone {
  deviceId: string;
  token: string;
  stream: EventStream;
  /** Tube codes of this phone start with it. */
  tag: string;
  tubes: number;
  /** Place in the tube's cycle: 0 opens it, 1–10 register its members, 11 seals it. */
  slot: number;
}

let residentCounter = 0;
function nextEvent(phone: Phone, occurredAt: string): SampleEvent {
  const slot = phone.slot;
  phone.slot = (slot + 1) % (PER_TUBE + 2);
  if (slot === 0) phone.tubes++;
  const tubeCode = `${phone.tag}${String(phone.tubes).padStart(6, "0")}`;
  if (slot === 0) return phone.stream.next("tube.opened", { tubeCode, capacity: PER_TUBE }, { occurredAt });
  if (slot <= PER_TUBE) {
    // Residents numbered past any seeded one: other people than the seeded.
    const n = 19_000_000 + (residentCounter++ % 900_000);
    return phone.stream.next(
      "registration.added",
      {
        registrationId: randomUUID(),
        tubeCode,
        resident: {
          name: NAMES[n % NAMES.length] as string,
          docType: "ID",
          docNumber: idNumber(n),
          phone: `139${String(n).padStart(8, "0")}`,
          community: COMMUNITIES[n % COMMUNITIES.length] as string,
        },
      },
      { occurredAt },
    );
  }
  return phone.stream.next("tube.sealed", { tubeCode, count: PER_TUBE, short: false }, { occurredAt });
}

interface PushFigures {
  offered: number;
  achieved: number;
  seconds: number;
  accepted: number;
  duplicate: number;
  rejected: number;
  firstRejection: string | null;
  /** Accepted registration.added events: what the counters must have gained. */
  registrations: number;
  pushP50Ms: number;
  pushP95Ms: number;
  pushes: number;
}

/**
 * Events arrive on each phone at a steady rate (together `rate` per second, phones out of phase), each stamped with
 * its arrival time; a phone pushes whatever has arrived as soon as its previous push is answered, as the app does
 * (bench/sync.ts's steady-rate phase). Runs until stopped, then pushes what had arrived; a push that fails on the
 * network or with a 5xx is retried. Achieved rate: every event ÷ (from the start to the answer to the last push).
 */
function startPushing(base: string, phones: Phone[], rate: number): { stop(): Promise<PushFigures> } {
  const perPhone = rate / phones.length;
  const startedAt = performance.now();
  const wallStart = Date.now();
  const latencies: number[] = [];
  const counts = { accepted: 0, duplicate: 0, rejected: 0, registrations: 0 };
  let firstRejection: string | null = null;
  /** When stopped: events stop arriving then; those arrived by then are still pushed. */
  let stoppedAt = Number.POSITIVE_INFINITY;
  let lastAnswer = startedAt;
  const loops = phones.map(async (phone, p) => {
    const offset = (p / phones.length) * (1000 / perPhone);
    let made = 0;
    let waiting: SampleEvent[] = [];
    for (;;) {
      const arrived = Math.floor(((Math.min(performance.now(), stoppedAt) - startedAt - offset) / 1000) * perPhone);
      for (; made < arrived; made++) {
        waiting.push(nextEvent(phone, new Date(wallStart + offset + ((made + 1) / perPhone) * 1000).toISOString()));
      }
      if (waiting.length === 0) {
        if (stoppedAt !== Number.POSITIVE_INFINITY) return;
        await new Promise((r) => setTimeout(r, Math.max(1, 1000 / perPhone)));
        continue;
      }
      const batch = waiting.slice(0, MAX_PUSH_EVENTS);
      const answer = await send(base, "POST", "/events/push", phone.token, {
        deviceId: phone.deviceId,
        events: batch,
        pending: waiting.length,
        deviceTime: new Date().toISOString(),
      });
      if (!answer || answer.status >= 500) continue;
      if (answer.status !== 200) throw new Error(`push ${answer.status}: ${answer.body.slice(0, 300)}`);
      latencies.push(answer.ms);
      lastAnswer = performance.now();
      for (const result of (JSON.parse(answer.body) as PushResponse).results) {
        counts[result.status]++;
        if (result.status === "rejected") firstRejection ??= `${result.code}: ${result.message}`;
        if (result.status === "accepted" && batch[result.index]?.type === "registration.added") counts.registrations++;
      }
      waiting = waiting.slice(batch.length);
    }
  });
  return {
    async stop() {
      stoppedAt = performance.now();
      await Promise.all(loops);
      const seconds = (lastAnswer - startedAt) / 1000;
      const events = counts.accepted + counts.duplicate + counts.rejected;
      return {
        offered: rate,
        achieved: Math.round(events / seconds),
        seconds: Math.round(seconds * 10) / 10,
        ...counts,
        firstRejection,
        pushP50Ms: Math.round(median(latencies)),
        pushP95Ms: Math.round(p95(latencies)),
        pushes: latencies.length,
      };
    },
  };
}

// ---------- one store ----------

interface LevelFigures {
  level: string;
  place: string;
  p50: number;
  p95: number;
  n: number;
}

interface ExportFigures {
  format: "csv" | "xlsx";
  filter: string;
  /** Data rows of the CSV (its lines less the header); the XLSX is not unpacked. */
  rows: number | null;
  megabytes: number;
  seconds: number;
  /** The time scaled to 1,000,000 rows (by the CSV's row count), what the target is about. */
  secondsPer1M: number;
  rssBeforeMb: number;
  peakRssMb: number;
  rssMethod: string;
}

interface StoreFigures {
  store: StoreKind;
  sites: number;
  days: { from: string; to: string };
  seeding: { registrations: number; seconds: number; method: string };
  dashboard: LevelFigures[];
  pushes: PushFigures;
  /** The city's round figure after the pushes against what was seeded and pushed: the counters stayed exact. */
  counters: { expected: number; reported: number };
  /** The server process just started (nothing asked yet), and its peak until the exports. */
  serverRssAtStartMb: number | null;
  serverPeakRssBeforeExportsMb: number | null;
  exports: ExportFigures[];
}

async function measure(kind: StoreKind, port: number): Promise<StoreFigures> {
  const schema = kind === "postgres" ? `sp_bench_command_${randomBytes(5).toString("hex")}` : undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), `bench-command-${kind}-`));
  const location = { dataDir, ...(kind === "postgres" ? { databaseUrl, databaseSchema: schema } : {}) };
  let server: ServerProcess | null = null;
  try {
    // Seeded with the server stopped (SQLite has one writer at a time), then the server runs on the same store.
    const store = await openStore(location);
    const seeded = await seed(store.db, kind, registrationsFor(kind));
    const exportChoice = await chooseExport(store.db);
    await store.durable();
    await store.db.destroy();
    console.error(`  [${kind}] seeding took ${seeded.seconds} s; starting the server`);
    server = await startServerProcess(port, `bench-command-${kind}`, {
      ...location,
      env: { SAMPLEPOINT_DEMO: "0" },
    });
    const pid = server.child.pid as number;
    const base = server.base;
    const serverRssAtStartMb = ((kb) => (kb === null ? null : mb(kb)))(statusKb(pid, "VmRSS"));
    const { value: session } = await call<{ token: string }>(base, "POST", "/auth/console-login", null, {
      username: "bench-admin",
      password: PASSWORD,
    });
    const admin = session.token;

    const phones: Phone[] = [];
    for (const [i, s] of seeded.pushSites.entries()) {
      for (let k = 0; k < PHONES_PER_SITE; k++) {
        const deviceId = `bench-phone-${siteCode(s)}-${k}`;
        const { value: login } = await call<LoginResponse>(base, "POST", "/auth/login", null, {
          username: `bench-${siteCode(s).toLowerCase()}`,
          password: PASSWORD,
          deviceId,
        });
        phones.push({
          deviceId,
          token: login.token,
          stream: eventStream(deviceId, siteCode(s), login.staff.id),
          tag: `P${String(i * PHONES_PER_SITE + k).padStart(3, "0")}-`,
          tubes: 0,
          slot: 0,
        });
      }
    }

    // Dashboard latency at every level while the phones push; the levels take turns, so all see the same load.
    const site = seeded.pushSites[0] ?? 0;
    const levels: { level: string; place: string; query: Record<string, string> }[] = [
      { level: "city, today", place: "烟台市", query: {} },
      { level: "district, today", place: districtOf(site), query: { district: districtOf(site) } },
      {
        level: "street, today",
        place: `${districtOf(site)} ${streetOf(site)}`,
        query: { district: districtOf(site), street: streetOf(site) },
      },
      { level: "site, today", place: siteCode(site), query: { site: siteCode(site) } },
      {
        level: "city, whole round",
        place: `${seeded.firstDay} – ${seeded.today}`,
        query: { round: seeded.roundId },
      },
    ];
    const dashboardPath = (query: Record<string, string>) => `/dashboard?${new URLSearchParams(query)}`;
    console.error(
      `  [${kind}] dashboard: ${REQUESTS_PER_LEVEL} requests per level with ${phones.length} phones pushing ${PUSH_RATE} events/s`,
    );
    const pushing = startPushing(base, phones, PUSH_RATE);
    const warmUpEnds = performance.now() + WARM_UP_MS;
    for (let round = 0; round < WARM_UP_REQUESTS; round++) {
      for (const level of levels) await call(base, "GET", dashboardPath(level.query), admin);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, warmUpEnds - performance.now())));
    const times = levels.map(() => [] as number[]);
    for (let round = 0; round < REQUESTS_PER_LEVEL; round++) {
      for (const [i, level] of levels.entries()) {
        const { ms } = await call(base, "GET", dashboardPath(level.query), admin);
        times[i]?.push(ms);
      }
    }
    const pushes = await pushing.stop();
    const { value: roundView } = await call<{ figures: { registrations: number } }>(
      base,
      "GET",
      dashboardPath(levels[4]?.query ?? {}),
      admin,
    );
    const dashboard = levels.map((level, i) => ({
      level: level.level,
      place: level.place,
      p50: Math.round(median(times[i] ?? [])),
      p95: Math.round(p95(times[i] ?? [])),
      n: times[i]?.length ?? 0,
    }));

    // Exports, one after the other, each on a server process started for it: its peak RSS is the export's (the
    // loaded process's own peak before the exports is printed beside it).
    const serverPeakRssBeforeExportsMb = ((kb) => (kb === null ? null : mb(kb)))(statusKb(pid, "VmHWM"));
    const exports: ExportFigures[] = [];
    let csvRows = exportChoice.seededRows;
    for (const format of ["csv", "xlsx"] as const) {
      console.error(`  [${kind}] export ${format}: ${exportChoice.label} (fresh server process)`);
      await server.stop();
      server = await startServerProcess(port, `bench-command-${kind}-${format}`, {
        ...location,
        env: { SAMPLEPOINT_DEMO: "0" },
      });
      const base = server.base;
      const { value: fresh } = await call<{ token: string }>(base, "POST", "/auth/console-login", null, {
        username: "bench-admin",
        password: PASSWORD,
      });
      const admin = fresh.token;
      const memory = watchMemory(server.child.pid as number);
      const started = performance.now();
      const { value: ticket } = await call<{ url: string }>(base, "POST", "/exports", admin, {
        dataset: "registrations",
        format,
        ...exportChoice.filter,
      });
      const { bytes, lines } = await download(`${base}${ticket.url}`);
      const seconds = (performance.now() - started) / 1000;
      const rss = memory.stop();
      if (format === "csv") csvRows = lines - 1;
      exports.push({
        format,
        filter: exportChoice.label,
        rows: format === "csv" ? csvRows : null,
        megabytes: Math.round(bytes / 1e5) / 10,
        seconds: Math.round(seconds * 10) / 10,
        secondsPer1M: Math.round(((seconds * EXPORT_ROWS) / Math.max(1, csvRows)) * 10) / 10,
        rssBeforeMb: rss.beforeMb,
        peakRssMb: rss.peakMb,
        rssMethod: rss.method,
      });
    }
    return {
      store: kind,
      sites: SITES,
      days: { from: seeded.firstDay, to: seeded.today },
      seeding: { registrations: seeded.registrations, seconds: seeded.seconds, method: seeded.method },
      dashboard,
      pushes,
      counters: { expected: seeded.active + pushes.registrations, reported: roundView.figures.registrations },
      serverRssAtStartMb,
      serverPeakRssBeforeExportsMb,
      exports,
    };
  } finally {
    await server?.stop();
    if (schema && databaseUrl) {
      const cleanup = await openStore(location);
      await sql`drop schema ${sql.id(schema)} cascade`.execute(cleanup.db);
      await cleanup.db.destroy();
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------- run and print ----------

const results: StoreFigures[] = [];
for (const [i, kind] of stores.entries()) {
  const port = args.port ? (await portOption(args.port)) + i * 100 : await freePort();
  results.push(await measure(kind, port));
}
agent.destroy();

const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");
if (args.json) console.log(JSON.stringify(results, null, 2));
else {
  console.log(
    `command bench — ${SITES.toLocaleString()} sites (${DISTRICTS} districts × ${STREETS_PER_DISTRICT} streets × ${SITES_PER_STREET} sites), a round of ${DAYS} Beijing days ending today; real server process over loopback`,
  );
  for (const r of results) {
    const p = r.pushes;
    console.log(
      `\n${r.store}: ${r.seeding.registrations.toLocaleString()} registrations over ${r.days.from} – ${r.days.to}, seeded in ${r.seeding.seconds} s`,
    );
    console.log(`  (${r.seeding.method})`);
    console.log(
      `  dashboard with phones pushing (levels in turn; first ${WARM_UP_REQUESTS} untimed requests per level and ${WARM_UP_MS / 1000} s of pushes)`,
    );
    console.log("    level                   p50        p95      n   target p95       place");
    for (const d of r.dashboard) {
      console.log(
        `    ${d.level.padEnd(20)} ${`${d.p50} ms`.padStart(7)} ${`${d.p95} ms`.padStart(10)} ${String(d.n).padStart(6)}   ≤ ${TARGETS.dashboardP95Ms} ms  ${verdict(d.p95 <= TARGETS.dashboardP95Ms).padEnd(6)}  ${d.place}`,
      );
    }
    console.log(
      `    pushes meanwhile: ${p.achieved.toLocaleString()} events/s achieved of ${p.offered.toLocaleString()} offered over ${p.seconds} s (${p.accepted.toLocaleString()} accepted, ${p.duplicate} duplicate, ${p.rejected} rejected${p.firstRejection ? `: ${p.firstRejection}` : ""}); push p50 ${p.pushP50Ms} ms, p95 ${p.pushP95Ms} ms   ${verdict(p.achieved >= 0.95 * p.offered && p.rejected === 0 && p.duplicate === 0)}`,
    );
    console.log(
      `    counters after the pushes: round figure ${r.counters.reported.toLocaleString()}, seeded + pushed ${r.counters.expected.toLocaleString()}   ${verdict(r.counters.reported === r.counters.expected)}`,
    );
    console.log(
      `  exports of registrations (${r.exports[0]?.filter}), read to the end, each on a freshly started server process; the loaded server: RSS at start ${r.serverRssAtStartMb ?? "?"} MB, peak until the exports ${r.serverPeakRssBeforeExportsMb ?? "?"} MB`,
    );
    console.log("    format       rows        size       time   per 1M rows   target      peak RSS   target");
    for (const e of r.exports) {
      const target = e.format === "csv" ? TARGETS.csvSecondsPer1M : TARGETS.xlsxSecondsPer1M;
      console.log(
        `    ${e.format.padEnd(6)} ${(e.rows ?? exportRowsOf(r)).toLocaleString().padStart(10)} ${`${e.megabytes} MB`.padStart(11)} ${`${e.seconds} s`.padStart(10)} ${`${e.secondsPer1M} s`.padStart(13)}   ≤ ${target} s ${verdict(e.secondsPer1M <= target).padEnd(6)} ${`${e.peakRssMb} MB`.padStart(7)}   ≤ ${TARGETS.peakRssMb} MB ${verdict(e.peakRssMb <= TARGETS.peakRssMb)}`,
      );
    }
    console.log(
      `    (rows: the CSV's lines less its header; per 1M rows: the time scaled by that count; RSS: ${r.exports[0]?.rssMethod}, of the server process; ${r.exports[0]?.rssBeforeMb} MB before the CSV)`,
    );
  }
  if (small) console.log("\n(--small: a smoke run; the targets are for the full size)");
}

/** The XLSX holds the CSV's rows (same filter, nothing pushed in between). */
function exportRowsOf(r: StoreFigures): number {
  return r.exports.find((e) => e.format === "csv")?.rows ?? 0;
}
