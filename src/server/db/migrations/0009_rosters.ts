import { type Kysely, SqliteAdapter, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the database as it was then, not today's types
type AnyDb = Kysely<any>;
const isSqlite = (db: AnyDb) => db.getExecutor().adapter instanceof SqliteAdapter;

/**
 * Rosters: the residents each site expects, by community and grid, imported from files. Each entry keeps the Beijing
 * day its document was last registered (anywhere, not voided), kept by triggers on registrations in the writing
 * transaction; `roster_counts` counts entries by grid and that day (a trigger follows each change), so coverage adds
 * up a few thousand counts and never scans entries or registrations. A site's `roster_version`
 * changes with each import touching it: phones fetch the roster only when it changed.
 */
export async function up(db: AnyDb): Promise<void> {
  const sqlite = isSqlite(db);
  await db.schema
    .alterTable("sites")
    .addColumn("roster_version", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .createTable("roster_entries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("site_code", "text", (c) => c.notNull())
    .addColumn("community", "text", (c) => c.notNull())
    .addColumn("grid", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("doc_type", "text", (c) => c.notNull())
    .addColumn("doc_number", "text", (c) => c.notNull())
    .addColumn("phone", "text")
    .addColumn("imported_at", "text", (c) => c.notNull())
    .addColumn("exempt_reason", "text")
    .addColumn("exempt_note", "text")
    .addColumn("exempt_from", "text")
    .addColumn("exempt_until", "text")
    .addColumn("exempt_by", "text")
    .addColumn("last_sampled_day", "text")
    .execute();
  // One entry per document and site; registrations find their entries by document (the index's first columns).
  await db.schema
    .createIndex("roster_entries_doc_site")
    .on("roster_entries")
    .columns(["doc_number", "doc_type", "site_code"])
    .unique()
    .execute();
  // A grid's entries (re-import, the not-yet-sampled list); exemptions (few) for coverage.
  await db.schema
    .createIndex("roster_entries_grid")
    .on("roster_entries")
    .columns(["site_code", "grid", "community"])
    .execute();
  await db.schema.createIndex("roster_entries_exempt").on("roster_entries").column("exempt_from").execute();
  // Coverage counts, not scans: per site, community, grid and day, the entries whose last sampled day it is; day ""
  // holds the grid's size. Imports rebuild a site's rows; the trigger below follows each registration.
  await db.schema
    .createTable("roster_counts")
    .addColumn("site_code", "text", (c) => c.notNull())
    .addColumn("community", "text", (c) => c.notNull())
    .addColumn("grid", "text", (c) => c.notNull())
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("entries", "bigint", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("roster_counts_pk", ["site_code", "community", "grid", "day"])
    .execute();

  if (sqlite) {
    const day = (time: string) => `date(${time}, '+8 hours')`;
    await sql
      .raw(`CREATE TRIGGER roster_sampled_insert AFTER INSERT ON registrations WHEN NEW.voided_at IS NULL BEGIN
        UPDATE roster_entries SET last_sampled_day = ${day("NEW.registered_at")}
          WHERE doc_number = NEW.doc_number AND doc_type = NEW.doc_type
            AND (last_sampled_day IS NULL OR last_sampled_day < ${day("NEW.registered_at")});
      END`)
      .execute(db);
    await sql
      .raw(`CREATE TRIGGER roster_sampled_update AFTER UPDATE ON registrations
        WHEN OLD.voided_at IS NOT NEW.voided_at BEGIN
        UPDATE roster_entries SET last_sampled_day = (
            SELECT max(${day("r.registered_at")}) FROM registrations r
            WHERE r.doc_number = NEW.doc_number AND r.doc_type = NEW.doc_type AND r.voided_at IS NULL)
          WHERE doc_number = NEW.doc_number AND doc_type = NEW.doc_type;
      END`)
      .execute(db);
    await sql
      .raw(`CREATE TRIGGER roster_counts_update AFTER UPDATE ON roster_entries
        WHEN OLD.last_sampled_day IS NOT NEW.last_sampled_day BEGIN
        UPDATE roster_counts SET entries = entries - 1
          WHERE site_code = OLD.site_code AND community = OLD.community AND grid = OLD.grid AND day = OLD.last_sampled_day;
        INSERT INTO roster_counts (site_code, community, grid, day, entries)
          SELECT NEW.site_code, NEW.community, NEW.grid, NEW.last_sampled_day, 1 WHERE NEW.last_sampled_day IS NOT NULL
          ON CONFLICT (site_code, community, grid, day) DO UPDATE SET entries = entries + 1;
      END`)
      .execute(db);
  } else {
    const day = (time: string) => `to_char((${time})::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')`;
    await sql
      .raw(`CREATE FUNCTION roster_sampled_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        UPDATE roster_entries e SET last_sampled_day = n.day
          FROM (SELECT doc_number, doc_type, max(${day("registered_at")}) AS day FROM new_rows
                WHERE voided_at IS NULL GROUP BY doc_number, doc_type) n
          WHERE e.doc_number = n.doc_number AND e.doc_type = n.doc_type
            AND (e.last_sampled_day IS NULL OR e.last_sampled_day < n.day);
        RETURN NULL;
      END $fn$`)
      .execute(db);
    await sql
      .raw(`CREATE TRIGGER roster_sampled_insert AFTER INSERT ON registrations REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION roster_sampled_insert()`)
      .execute(db);
    await sql
      .raw(`CREATE FUNCTION roster_sampled_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        UPDATE roster_entries e SET last_sampled_day = (
            SELECT max(${day("r.registered_at")}) FROM registrations r
            WHERE r.doc_number = e.doc_number AND r.doc_type = e.doc_type AND r.voided_at IS NULL)
          FROM (SELECT DISTINCT n.doc_number, n.doc_type FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE o.voided_at IS DISTINCT FROM n.voided_at) d
          WHERE e.doc_number = d.doc_number AND e.doc_type = d.doc_type;
        RETURN NULL;
      END $fn$`)
      .execute(db);
    await sql
      .raw(`CREATE TRIGGER roster_sampled_update AFTER UPDATE ON registrations
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION roster_sampled_update()`)
      .execute(db);
    await sql
      .raw(`CREATE FUNCTION roster_counts_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        INSERT INTO roster_counts AS c (site_code, community, grid, day, entries)
          SELECT site_code, community, grid, day, sum(delta) FROM (
              SELECT n.site_code, n.community, n.grid, n.last_sampled_day AS day, 1 AS delta
                FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE n.last_sampled_day IS NOT NULL AND o.last_sampled_day IS DISTINCT FROM n.last_sampled_day
              UNION ALL
              SELECT o.site_code, o.community, o.grid, o.last_sampled_day, -1
                FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE o.last_sampled_day IS NOT NULL AND o.last_sampled_day IS DISTINCT FROM n.last_sampled_day
            ) d GROUP BY site_code, community, grid, day HAVING sum(delta) <> 0
            ORDER BY site_code, community, grid, day
          ON CONFLICT (site_code, community, grid, day) DO UPDATE SET entries = c.entries + excluded.entries;
        RETURN NULL;
      END $fn$`)
      .execute(db);
    await sql
      .raw(`CREATE TRIGGER roster_counts_update AFTER UPDATE ON roster_entries
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION roster_counts_update()`)
      .execute(db);
  }
}

export async function down(db: AnyDb): Promise<void> {
  const sqlite = isSqlite(db);
  for (const kind of ["insert", "update"]) {
    await sql.raw(`DROP TRIGGER IF EXISTS roster_sampled_${kind}${sqlite ? "" : " ON registrations"}`).execute(db);
    if (!sqlite) await sql.raw(`DROP FUNCTION IF EXISTS roster_sampled_${kind}()`).execute(db);
  }
  await sql.raw(`DROP TRIGGER IF EXISTS roster_counts_update${sqlite ? "" : " ON roster_entries"}`).execute(db);
  if (!sqlite) await sql.raw("DROP FUNCTION IF EXISTS roster_counts_update()").execute(db);
  await db.schema.dropTable("roster_counts").execute();
  await db.schema.dropTable("roster_entries").execute();
  await db.schema.alterTable("sites").dropColumn("roster_version").execute();
}
