import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the database as it was then, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  // Failed logins per key ("user:<name>" or "addr:<ip>") in the current window: shared by every server process.
  await db.schema
    .createTable("login_failures")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("window_start", "text", (c) => c.notNull())
    .addColumn("failures", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("audit_log")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("at", "text", (c) => c.notNull())
    .addColumn("site_code", "text")
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("subject", "text")
    .addColumn("detail", "text")
    .execute();
  await db.schema.createIndex("audit_log_site_at").on("audit_log").columns(["site_code", "at"]).execute();
  // What the device said was still queued when it last pushed (for `cli list-devices`).
  await db.schema.alterTable("devices").addColumn("reported_pending", "integer").execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("devices").dropColumn("reported_pending").execute();
  await db.schema.dropTable("audit_log").execute();
  await db.schema.dropTable("login_failures").execute();
}
