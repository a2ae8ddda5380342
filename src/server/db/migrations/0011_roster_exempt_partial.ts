import { type Kysely, sql } from "kysely";

/**
 * Only exempted entries (a few) in the exemptions index: each of a big import's rows (all of them unexempted) no
 * longer adds an entry to it. Coverage asks for `exempt_from IS NOT NULL AND exempt_from <= day`, which both stores
 * answer from a partial index.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations describe the database as it was then, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("roster_entries_exempt").execute();
  await db.schema
    .createIndex("roster_entries_exempt")
    .on("roster_entries")
    .column("exempt_from")
    .where(sql.ref("exempt_from"), "is not", null)
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("roster_entries_exempt").execute();
  await db.schema.createIndex("roster_entries_exempt").on("roster_entries").column("exempt_from").execute();
}
