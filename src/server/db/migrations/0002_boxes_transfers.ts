import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the database as it was then, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("boxes")
    .addColumn("site_code", "text", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("opened_at", "text", (c) => c.notNull())
    .addColumn("opened_by_device", "text", (c) => c.notNull())
    .addColumn("closed_at", "text")
    .addColumn("tube_count", "integer")
    .addColumn("handed_over_at", "text")
    .addColumn("courier_name", "text")
    .addColumn("courier_phone", "text")
    .addColumn("vehicle_plate", "text")
    .addPrimaryKeyConstraint("boxes_pk", ["site_code", "code"])
    .execute();
  await db.schema.alterTable("tubes").addColumn("box_code", "text").execute();
  await db.schema.alterTable("tubes").addColumn("transferred_to", "text").execute();
  await db.schema.alterTable("tubes").addColumn("void_reason", "text").execute();
  await db.schema.alterTable("registrations").addColumn("repeat_reason", "text").execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("registrations").dropColumn("repeat_reason").execute();
  await db.schema.alterTable("tubes").dropColumn("void_reason").execute();
  await db.schema.alterTable("tubes").dropColumn("transferred_to").execute();
  await db.schema.alterTable("tubes").dropColumn("box_code").execute();
  await db.schema.dropTable("boxes").execute();
}
