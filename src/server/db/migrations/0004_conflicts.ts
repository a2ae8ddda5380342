import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the database as it was then, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  // Cross-device conflicts, one row per (site, kind, subject): recorded, never dropped, listed for the site lead.
  await db.schema
    .createTable("conflicts")
    .addColumn("site_code", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("detail", "text", (c) => c.notNull())
    .addColumn("event_id", "text")
    .addColumn("detected_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("conflicts_pk", ["site_code", "kind", "subject"])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("conflicts").execute();
}
