import type { Kysely } from "kysely";

// Migrations take Kysely<any>: they describe the database as it was at the time, not today's types.
// biome-ignore lint/suspicious/noExplicitAny: see above
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("sites")
    .addColumn("code", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("pool_size", "integer", (c) => c.notNull())
    .addColumn("tube_pattern", "text", (c) => c.notNull())
    .addColumn("box_pattern", "text", (c) => c.notNull())
    .addColumn("phone_required", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("staff")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("username", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("site_code", "text", (c) => c.notNull().references("sites.code"))
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("devices")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("site_code", "text", (c) => c.notNull().references("sites.code"))
    .addColumn("staff_id", "text", (c) => c.notNull())
    .addColumn("last_seq", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("last_seen_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("tokens")
    .addColumn("hash", "text", (c) => c.primaryKey())
    .addColumn("staff_id", "text", (c) => c.notNull().references("staff.id"))
    .addColumn("site_code", "text", (c) => c.notNull())
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("revoked_at", "text")
    .execute();

  await db.schema
    .createTable("events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("site_code", "text", (c) => c.notNull())
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("seq", "bigint", (c) => c.notNull())
    .addColumn("staff_id", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("occurred_at", "text", (c) => c.notNull())
    .addColumn("received_at", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addUniqueConstraint("events_device_seq", ["device_id", "seq"])
    .execute();
  await db.schema.createIndex("events_site").on("events").columns(["site_code", "received_at"]).execute();

  await db.schema
    .createTable("tubes")
    .addColumn("site_code", "text", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("capacity", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("opened_at", "text", (c) => c.notNull())
    .addColumn("opened_by_device", "text", (c) => c.notNull())
    .addColumn("sealed_at", "text")
    .addColumn("sealed_count", "integer")
    .addColumn("short", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("tubes_pk", ["site_code", "code"])
    .execute();

  await db.schema
    .createTable("registrations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("site_code", "text", (c) => c.notNull())
    .addColumn("tube_code", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("doc_type", "text", (c) => c.notNull())
    .addColumn("doc_number", "text", (c) => c.notNull())
    .addColumn("phone", "text")
    .addColumn("community", "text")
    .addColumn("registered_at", "text", (c) => c.notNull())
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("staff_id", "text", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("voided_at", "text")
    .addColumn("void_reason", "text")
    .execute();
  await db.schema
    .createIndex("registrations_site_tube")
    .on("registrations")
    .columns(["site_code", "tube_code"])
    .execute();
  await db.schema
    .createIndex("registrations_site_doc")
    .on("registrations")
    .columns(["site_code", "doc_number"])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["registrations", "tubes", "events", "tokens", "devices", "staff", "sites"]) {
    await db.schema.dropTable(table).execute();
  }
}
