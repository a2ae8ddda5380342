import { type Kysely, SqliteAdapter, sql } from "kysely";
import { COUNTERS, countExistingRows } from "../../dashboard/counters";

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the database as it was then, not today's types
type AnyDb = Kysely<any>;
const isSqlite = (db: AnyDb) => db.getExecutor().adapter instanceof SqliteAdapter;

/**
 * The command centre: sites in a district and street, admins scoped to a district, testing rounds, each device's
 * clock skew, and per-site-per-day counters kept by triggers in the transaction that writes the rows they count
 * (pushes, lab receipts, results), so the dashboard never scans registrations and its figures are exact.
 *
 * Days are Beijing days (UTC+8, no daylight saving); a day's `buckets` holds its 144 ten-minute counts of
 * registrations (voided ones taken off again). What each row contributes:
 * - registrations: `registrations` (not voided) or `voided`, its bucket, `last_registration_at`;
 * - tubes, by the day they were opened: `tubes_open` / `tubes_sealed` (of which `tubes_short`) / `tubes_void`;
 * - boxes, by the day they were opened: `boxes_open` / `boxes_closed` / `boxes_handed_over`; a receipt at a lab adds
 *   `boxes_received`;
 * - standing results, by their tube's day: `results_negative` / `_positive` / `_invalid` / `_rejected`.
 * An update takes the old row's contribution off and adds the new one's. SQLite runs row triggers; PostgreSQL runs
 * statement triggers over the statement's transition tables (one aggregated upsert per statement, not per row).
 */

interface Counted {
  table: string;
  /** The row's day from its own column, or through a join (`join` names the table and its condition on `r`). */
  dayColumn: string;
  join?: { table: string; on: string };
  /** Counter column → expression over the row `r` (and the joined `j`). */
  counts: Partial<Record<(typeof COUNTERS)[number], string>>;
  /** Registrations only: ten-minute bucket counts and the last registration time. */
  registrations?: true;
  insertOnly?: true;
}

const COUNTED: Counted[] = [
  {
    table: "registrations",
    dayColumn: "r.registered_at",
    counts: {
      registrations: "CASE WHEN r.voided_at IS NULL THEN 1 ELSE 0 END",
      voided: "CASE WHEN r.voided_at IS NULL THEN 0 ELSE 1 END",
    },
    registrations: true,
  },
  {
    table: "tubes",
    dayColumn: "r.opened_at",
    counts: {
      tubes_open: "CASE WHEN r.status = 'open' THEN 1 ELSE 0 END",
      tubes_sealed: "CASE WHEN r.status = 'sealed' THEN 1 ELSE 0 END",
      tubes_short: "CASE WHEN r.status = 'sealed' AND r.short = 1 THEN 1 ELSE 0 END",
      tubes_void: "CASE WHEN r.status = 'void' THEN 1 ELSE 0 END",
    },
  },
  {
    table: "boxes",
    dayColumn: "r.opened_at",
    counts: {
      boxes_open: "CASE WHEN r.status = 'open' THEN 1 ELSE 0 END",
      boxes_closed: "CASE WHEN r.status = 'closed' THEN 1 ELSE 0 END",
      boxes_handed_over: "CASE WHEN r.status = 'handed_over' THEN 1 ELSE 0 END",
    },
  },
  {
    table: "box_receipts",
    dayColumn: "j.opened_at",
    join: { table: "boxes", on: "j.site_code = r.site_code AND j.code = r.box_code" },
    counts: { boxes_received: "1" },
    insertOnly: true,
  },
  {
    table: "results",
    dayColumn: "j.opened_at",
    join: { table: "tubes", on: "j.site_code = r.site_code AND j.code = r.tube_code" },
    counts: {
      results_negative: "CASE WHEN r.current = 1 AND r.outcome = 'negative' THEN 1 ELSE 0 END",
      results_positive: "CASE WHEN r.current = 1 AND r.outcome = 'positive' THEN 1 ELSE 0 END",
      results_invalid: "CASE WHEN r.current = 1 AND r.outcome = 'invalid' THEN 1 ELSE 0 END",
      results_rejected: "CASE WHEN r.current = 1 AND r.outcome = 'rejected' THEN 1 ELSE 0 END",
    },
  },
];

const BUCKETS_PER_DAY = 144;

// ---------- SQLite: row triggers ----------

const sqliteDay = (time: string) => `date(${time}, '+8 hours')`;
const sqliteBucket = (time: string) =>
  `CAST((CAST(strftime('%H', ${time}, '+8 hours') AS integer) * 60 + CAST(strftime('%M', ${time}, '+8 hours') AS integer)) / 10 AS integer)`;
const sqliteUtc = (time: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${time})`;

/** The statements that add (sign 1) or take off (sign -1) one row's contribution; `row` is NEW or OLD. */
function sqliteApply(counted: Counted, row: "NEW" | "OLD", sign: 1 | -1): string {
  const on = (expr: string) => expr.replaceAll("r.", `${row}.`);
  const from = counted.join
    ? `(SELECT ${on(counted.dayColumn.replace("j.", "jt."))} FROM ${counted.join.table} jt WHERE ${on(counted.join.on.replaceAll("j.", "jt."))})`
    : on(counted.dayColumn);
  const day = sqliteDay(from);
  const sets = Object.entries(counted.counts).map(
    ([column, expr]) => `${column} = ${column} + (${sign}) * (${on(expr)})`,
  );
  if (counted.registrations) {
    const index = `'$[' || ${sqliteBucket(from)} || ']'`;
    const active = on(counted.counts.registrations as string);
    sets.push(`buckets = json_set(buckets, ${index}, json_extract(buckets, ${index}) + (${sign}) * (${active}))`);
    if (sign === 1) {
      sets.push(`last_registration_at = max(coalesce(last_registration_at, ''), ${sqliteUtc(from)})`);
    }
  }
  // A row whose day cannot be found (a result for a tube the store lacks) counts nowhere, rather than failing.
  return `
    INSERT INTO site_day_counts (site_code, day) SELECT ${row}.site_code, ${day} WHERE ${day} IS NOT NULL
      ON CONFLICT (site_code, day) DO NOTHING;
    UPDATE site_day_counts SET ${sets.join(", ")} WHERE site_code = ${row}.site_code AND day = ${day};`;
}

function sqliteTriggers(counted: Counted): string[] {
  const name = `count_${counted.table}`;
  const triggers = [
    `CREATE TRIGGER ${name}_insert AFTER INSERT ON ${counted.table} BEGIN ${sqliteApply(counted, "NEW", 1)} END`,
  ];
  if (!counted.insertOnly) {
    triggers.push(
      `CREATE TRIGGER ${name}_update AFTER UPDATE ON ${counted.table} BEGIN ${sqliteApply(counted, "OLD", -1)} ${sqliteApply(counted, "NEW", 1)} END`,
    );
  }
  return triggers;
}

// ---------- PostgreSQL: statement triggers over transition tables ----------

const pgLocal = (time: string) => `((${time})::timestamptz AT TIME ZONE 'Asia/Shanghai')`;
const pgDay = (time: string) => `to_char(${pgLocal(time)}, 'YYYY-MM-DD')`;
const pgBucket = (time: string) =>
  `(extract(hour FROM ${pgLocal(time)})::int * 6 + extract(minute FROM ${pgLocal(time)})::int / 10)`;
const pgUtc = (time: string) => `to_char((${time})::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

function pgFunction(counted: Counted, withOld: boolean): string {
  const source = (rows: string, sign: 1 | -1) => {
    const join = counted.join ? `JOIN ${counted.join.table} j ON ${counted.join.on}` : "";
    const columns = Object.entries(counted.counts).map(([column, expr]) => `(${sign}) * (${expr}) AS ${column}`);
    if (counted.registrations) {
      columns.push(`${pgBucket(counted.dayColumn)} AS bucket`);
      columns.push(sign === 1 ? `${pgUtc(counted.dayColumn)} AS last_at` : "NULL::text AS last_at");
    }
    return `SELECT r.site_code, ${pgDay(counted.dayColumn)} AS day, ${columns.join(", ")} FROM ${rows} r ${join}`;
  };
  const rows = withOld ? `${source("new_rows", 1)} UNION ALL ${source("old_rows", -1)}` : source("new_rows", 1);
  const columns = Object.keys(counted.counts);
  const sums = columns.map((c) => `sum(${c})`);
  const nonZero = columns.map((c) => `sum(${c}) <> 0`).join(" OR ");
  const updates = columns.map((c) => `${c} = c.${c} + excluded.${c}`);
  if (counted.registrations)
    updates.push("last_registration_at = GREATEST(c.last_registration_at, excluded.last_registration_at)");
  const upsert = `
    INSERT INTO site_day_counts AS c (site_code, day, ${columns.join(", ")}${counted.registrations ? ", last_registration_at" : ""})
    SELECT site_code, day, ${sums.join(", ")}${counted.registrations ? ", max(last_at)" : ""}
    FROM (${rows}) d GROUP BY site_code, day HAVING ${nonZero}${counted.registrations ? " OR max(last_at) IS NOT NULL" : ""}
    ORDER BY site_code, day
    ON CONFLICT (site_code, day) DO UPDATE SET ${updates.join(", ")};`;
  const buckets = counted.registrations
    ? `
    FOR b IN SELECT site_code, day, bucket, sum(registrations) AS delta FROM (${rows}) d
      GROUP BY site_code, day, bucket HAVING sum(registrations) <> 0 ORDER BY site_code, day, bucket LOOP
      UPDATE site_day_counts SET buckets[b.bucket + 1] = buckets[b.bucket + 1] + b.delta
        WHERE site_code = b.site_code AND day = b.day;
    END LOOP;`
    : "";
  return `
    CREATE FUNCTION count_${counted.table}_${withOld ? "update" : "insert"}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    DECLARE b record;
    BEGIN
      ${upsert}
      ${buckets}
      RETURN NULL;
    END $fn$`;
}

function pgTriggers(counted: Counted): string[] {
  const name = `count_${counted.table}`;
  const statements = [
    pgFunction(counted, false),
    `CREATE TRIGGER ${name}_insert AFTER INSERT ON ${counted.table} REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION ${name}_insert()`,
  ];
  if (!counted.insertOnly) {
    statements.push(
      pgFunction(counted, true),
      `CREATE TRIGGER ${name}_update AFTER UPDATE ON ${counted.table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
         FOR EACH STATEMENT EXECUTE FUNCTION ${name}_update()`,
    );
  }
  return statements;
}

export async function up(db: AnyDb): Promise<void> {
  const sqlite = isSqlite(db);
  await db.schema
    .alterTable("sites")
    .addColumn("district", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .alterTable("sites")
    .addColumn("street", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema.createIndex("sites_district").on("sites").columns(["district", "street"]).execute();
  // An admin's district (null: the whole city).
  await db.schema.alterTable("staff").addColumn("district", "text").execute();
  await db.schema.alterTable("devices").addColumn("clock_skew_ms", "bigint").execute();
  await db.schema.createIndex("devices_site").on("devices").columns(["site_code", "last_seen_at"]).execute();
  // Exports by day: registrations in time order (a short append at the end of the index per registration).
  await db.schema.createIndex("registrations_time").on("registrations").column("registered_at").execute();
  // An export is downloaded with a one-time ticket (the browser streams it to disk; no token in the URL).
  await db.schema
    .createTable("export_tickets")
    .addColumn("hash", "text", (c) => c.primaryKey())
    .addColumn("staff_id", "text", (c) => c.notNull())
    /** JSON: the export asked for (dataset, format, filters, full numbers and why). */
    .addColumn("request", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .execute();
  // Lookups: a box's tubes.
  await db.schema.createIndex("tubes_box").on("tubes").columns(["site_code", "box_code"]).execute();
  // The dashboard lists the newest conflicts of many sites.
  await db.schema.createIndex("conflicts_detected").on("conflicts").column("detected_at").execute();

  await db.schema
    .createTable("rounds")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    /** Beijing days, inclusive: YYYY-MM-DD. */
    .addColumn("starts_on", "text", (c) => c.notNull())
    .addColumn("ends_on", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  const zeros = `[${Array(BUCKETS_PER_DAY).fill(0).join(",")}]`;
  let table = db.schema
    .createTable("site_day_counts")
    .addColumn("site_code", "text", (c) => c.notNull())
    .addColumn("day", "text", (c) => c.notNull());
  for (const column of COUNTERS) table = table.addColumn(column, "bigint", (c) => c.notNull().defaultTo(0));
  table = table
    .addColumn("last_registration_at", "text")
    .addColumn("buckets", sqlite ? "text" : sql`integer[]`, (c) =>
      c.notNull().defaultTo(sqlite ? zeros : sql.raw(`array_fill(0, ARRAY[${BUCKETS_PER_DAY}])`)),
    )
    .addPrimaryKeyConstraint("site_day_counts_pk", ["site_code", "day"]);
  await table.execute();
  await db.schema.createIndex("site_day_counts_day").on("site_day_counts").columns(["day", "site_code"]).execute();

  for (const counted of COUNTED) {
    for (const statement of sqlite ? sqliteTriggers(counted) : pgTriggers(counted)) {
      await sql.raw(statement).execute(db);
    }
  }
  // Rows stored before this migration are counted once, by the recount's own code (what `recount --fix` runs).
  await countExistingRows(db);
}

export async function down(db: AnyDb): Promise<void> {
  const sqlite = isSqlite(db);
  for (const counted of COUNTED) {
    for (const kind of counted.insertOnly ? ["insert"] : ["insert", "update"]) {
      await sql
        .raw(`DROP TRIGGER IF EXISTS count_${counted.table}_${kind}${sqlite ? "" : ` ON ${counted.table}`}`)
        .execute(db);
      if (!sqlite) await sql.raw(`DROP FUNCTION IF EXISTS count_${counted.table}_${kind}()`).execute(db);
    }
  }
  await db.schema.dropTable("site_day_counts").execute();
  await db.schema.dropTable("rounds").execute();
  await db.schema.dropIndex("conflicts_detected").execute();
  await db.schema.dropIndex("tubes_box").execute();
  await db.schema.dropIndex("registrations_time").execute();
  await db.schema.dropTable("export_tickets").execute();
  await db.schema.dropIndex("devices_site").execute();
  await db.schema.alterTable("devices").dropColumn("clock_skew_ms").execute();
  await db.schema.alterTable("staff").dropColumn("district").execute();
  await db.schema.dropIndex("sites_district").execute();
  await db.schema.alterTable("sites").dropColumn("street").execute();
  await db.schema.alterTable("sites").dropColumn("district").execute();
}
