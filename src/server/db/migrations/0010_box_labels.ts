import type { Kysely } from "kysely";

/**
 * Box labels printed here (issue 16, part 5): each site keeps the last box-label number it gave out and the prefix its
 * codes carry (set at its first print run, unique across sites: see src/server/boxLabels/boxLabels.ts).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations describe the database as it was then, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("sites")
    .addColumn("box_label_seq", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("sites").addColumn("box_label_prefix", "text").execute();
  // Unique: two sites never print the same code (NULL, a site that never printed, may repeat on both stores).
  await db.schema.createIndex("sites_box_label_prefix").unique().on("sites").column("box_label_prefix").execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("sites_box_label_prefix").execute();
  await db.schema.alterTable("sites").dropColumn("box_label_prefix").execute();
  await db.schema.alterTable("sites").dropColumn("box_label_seq").execute();
}
