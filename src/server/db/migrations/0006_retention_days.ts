import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the database as it was then, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  // How many days phones keep a site's synced records once their box is handed over (issue: data protection).
  await db.schema
    .alterTable("sites")
    .addColumn("retention_days", "integer", (c) => c.notNull().defaultTo(7))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sites").dropColumn("retention_days").execute();
}
