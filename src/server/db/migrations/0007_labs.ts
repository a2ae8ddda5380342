import { type Kysely, SqliteAdapter, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the database as it was then, not today's types
const isSqlite = (db: Kysely<any>) => db.getExecutor().adapter instanceof SqliteAdapter;

/**
 * Labs and the trace-back loop: labs as an entity, lab staff (who belong to a lab, not a site), a box's destination
 * lab, receipts of boxes and tubes at a lab, results per tube (append-only: a change is a new row), and recalls of a
 * positive pool's residents. Indexes for the lab's lookups by code alone (a lab scans codes without knowing the site)
 * and for the resident status page (by document number).
 */
// biome-ignore lint/suspicious/noExplicitAny: see above
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("labs")
    .ifNotExists()
    .addColumn("code", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  // Lab staff belong to a lab: staff.site_code becomes optional and staff.lab_code appears.
  if (isSqlite(db)) {
    // SQLite cannot drop a NOT NULL: the table is rebuilt (its documented procedure; foreign keys off meanwhile,
    // checked after). Kysely runs SQLite migrations outside a transaction, so the pragma takes effect.
    // The rebuild itself runs in one transaction (a savepoint, the only kind a statement can open here), so a crash
    // between dropping the old table and renaming the new one cannot lose the staff.
    await sql`PRAGMA foreign_keys = OFF`.execute(db);
    await sql`SAVEPOINT staff_rebuild`.execute(db);
    await sql`CREATE TABLE staff_new (
      id text PRIMARY KEY,
      username text NOT NULL UNIQUE,
      name text NOT NULL,
      role text NOT NULL,
      site_code text REFERENCES sites(code),
      password_hash text NOT NULL,
      disabled integer NOT NULL DEFAULT 0,
      created_at text NOT NULL,
      lab_code text REFERENCES labs(code)
    )`.execute(db);
    await sql`INSERT INTO staff_new (id, username, name, role, site_code, password_hash, disabled, created_at)
      SELECT id, username, name, role, site_code, password_hash, disabled, created_at FROM staff`.execute(db);
    await sql`DROP TABLE staff`.execute(db);
    await sql`ALTER TABLE staff_new RENAME TO staff`.execute(db);
    const broken = await sql`PRAGMA foreign_key_check`.execute(db);
    if (broken.rows.length > 0) await sql`ROLLBACK TO staff_rebuild`.execute(db);
    await sql`RELEASE staff_rebuild`.execute(db);
    await sql`PRAGMA foreign_keys = ON`.execute(db);
    if (broken.rows.length > 0)
      throw new Error(`foreign keys broken by the staff rebuild: ${JSON.stringify(broken.rows)}`);
  } else {
    await sql`ALTER TABLE staff ALTER COLUMN site_code DROP NOT NULL`.execute(db);
    await db.schema
      .alterTable("staff")
      .addColumn("lab_code", "text", (c) => c.references("labs.code"))
      .execute();
  }
  await db.schema.alterTable("tokens").addColumn("lab_code", "text").execute();

  await db.schema.alterTable("boxes").addColumn("destination_lab", "text").execute();
  await db.schema.createIndex("boxes_code").on("boxes").column("code").execute();
  await db.schema.createIndex("tubes_code").on("tubes").column("code").execute();
  await db.schema.createIndex("registrations_doc").on("registrations").column("doc_number").execute();

  // A box received at a lab (once: a second receipt is a no-op), with what was found.
  await db.schema
    .createTable("box_receipts")
    .addColumn("site_code", "text", (c) => c.notNull())
    .addColumn("box_code", "text", (c) => c.notNull())
    .addColumn("lab_code", "text", (c) => c.notNull())
    .addColumn("received_at", "text", (c) => c.notNull())
    .addColumn("received_by", "text", (c) => c.notNull())
    /** JSON: expected, missing, extra, unsynced tube lists. */
    .addColumn("report", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("box_receipts_pk", ["site_code", "box_code"])
    .execute();
  await db.schema.createIndex("box_receipts_lab").on("box_receipts").columns(["lab_code", "received_at"]).execute();

  await db.schema
    .createTable("tube_receipts")
    .addColumn("site_code", "text", (c) => c.notNull())
    .addColumn("tube_code", "text", (c) => c.notNull())
    .addColumn("lab_code", "text", (c) => c.notNull())
    .addColumn("box_code", "text")
    .addColumn("received_at", "text", (c) => c.notNull())
    .addColumn("received_by", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("tube_receipts_pk", ["site_code", "tube_code"])
    .execute();
  await db.schema.createIndex("tube_receipts_lab").on("tube_receipts").columns(["lab_code", "received_at"]).execute();
  await db.schema.createIndex("tube_receipts_code").on("tube_receipts").column("tube_code").execute();

  // Results: one row per result record; a changed result is a new row that names the one it replaces.
  await db.schema
    .createTable("results")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("site_code", "text", (c) => c.notNull())
    .addColumn("tube_code", "text", (c) => c.notNull())
    .addColumn("lab_code", "text", (c) => c.notNull())
    .addColumn("outcome", "text", (c) => c.notNull())
    /** JSON object of Ct values by target gene, or null. */
    .addColumn("ct", "text")
    .addColumn("resulted_at", "text", (c) => c.notNull())
    .addColumn("recorded_at", "text", (c) => c.notNull())
    .addColumn("recorded_by", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("replaces", "text")
    /** 1 while it is the tube's standing result. */
    .addColumn("current", "integer", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("results_tube").on("results").columns(["tube_code", "current"]).execute();
  await db.schema.createIndex("results_lab").on("results").columns(["lab_code", "recorded_at"]).execute();

  // One row per resident of a positive (or invalid) pool: the recall list, with its state.
  await db.schema
    .createTable("recalls")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("site_code", "text", (c) => c.notNull())
    .addColumn("tube_code", "text", (c) => c.notNull())
    .addColumn("result_id", "text", (c) => c.notNull())
    .addColumn("registration_id", "text", (c) => c.notNull())
    .addColumn("doc_number", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("updated_by", "text", (c) => c.notNull())
    /** The single-person tube the resident was re-sampled into, and its result. */
    .addColumn("single_tube_code", "text")
    .addColumn("single_result_id", "text")
    .addUniqueConstraint("recalls_result_registration", ["result_id", "registration_id"])
    .execute();
  await db.schema.createIndex("recalls_site").on("recalls").columns(["site_code", "state"]).execute();
  await db.schema.createIndex("recalls_tube").on("recalls").columns(["site_code", "tube_code"]).execute();
  await db.schema.createIndex("recalls_doc").on("recalls").column("doc_number").execute();
  await db.schema.createIndex("recalls_single").on("recalls").column("single_tube_code").execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["recalls", "results", "tube_receipts", "box_receipts"])
    await db.schema.dropTable(table).execute();
  await db.schema.dropIndex("registrations_doc").execute();
  await db.schema.dropIndex("tubes_code").execute();
  await db.schema.dropIndex("boxes_code").execute();
  await db.schema.alterTable("boxes").dropColumn("destination_lab").execute();
  await db.schema.alterTable("tokens").dropColumn("lab_code").execute();
  await db.schema.alterTable("staff").dropColumn("lab_code").execute();
  await db.schema.dropTable("labs").execute();
}
