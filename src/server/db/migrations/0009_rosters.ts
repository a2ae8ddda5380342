import { type Kysely, SqliteAdapter, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the database as it was then, not today's types
type AnyDb = Kysely<any>;
const isSqlite = (db: AnyDb) => db.getExecutor().adapter instanceof SqliteAdapter;

/**
 * Rosters: the residents each site expects, by community and grid, imported from files. Each entry keeps the Beijing
 * day its document was last registered (anywhere, not voided), kept by triggers on registrations in the writing
 * transaction, so coverage counts entries and never joins the registrations of a round. A site's `roster_version`
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
  // One entry per document and site; registrations find their entries by document.
  await db.schema
    .createIndex("roster_entries_site_doc")
    .on("roster_entries")
    .columns(["site_code", "doc_type", "doc_number"])
    .unique()
    .execute();
  await db.schema.createIndex("roster_entries_doc").on("roster_entries").columns(["doc_number", "doc_type"]).execute();
  // Coverage reads only this index (a covering index: no table row is visited).
  await db.schema
    .createIndex("roster_entries_coverage")
    .on("roster_entries")
    .columns(["site_code", "community", "grid", "last_sampled_day", "exempt_from", "exempt_until"])
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
  }
}

export async function down(db: AnyDb): Promise<void> {
  const sqlite = isSqlite(db);
  for (const kind of ["insert", "update"]) {
    await sql.raw(`DROP TRIGGER IF EXISTS roster_sampled_${kind}${sqlite ? "" : " ON registrations"}`).execute(db);
    if (!sqlite) await sql.raw(`DROP FUNCTION IF EXISTS roster_sampled_${kind}()`).execute(db);
  }
  await db.schema.dropTable("roster_entries").execute();
  await db.schema.alterTable("sites").dropColumn("roster_version").execute();
}
