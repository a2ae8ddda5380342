import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the database as it was then, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  // The pull cursor is per site, not one global counter: each site numbers its own events (1, 2, 3, …) from a counter
  // on its row, so the tables can later be sharded by site without a shared sequence.
  await db.schema
    .alterTable("sites")
    .addColumn("last_event_seq", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("events").addColumn("site_seq", "bigint").execute();
  // Events stored before this version are numbered in the order they arrived.
  await sql`
    UPDATE events SET site_seq = numbered.n
    FROM (
      SELECT id, ROW_NUMBER() OVER (PARTITION BY site_code ORDER BY received_at, device_id, seq) AS n FROM events
    ) AS numbered
    WHERE events.id = numbered.id`.execute(db);
  await sql`
    UPDATE sites SET last_event_seq = COALESCE(
      (SELECT MAX(site_seq) FROM events WHERE events.site_code = sites.code), 0)`.execute(db);
  await db.schema.createIndex("events_site_seq").unique().on("events").columns(["site_code", "site_seq"]).execute();
  // It supersedes the (site, received_at) index: nothing reads events by arrival time any more.
  await db.schema.dropIndex("events_site").execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("events_site").on("events").columns(["site_code", "received_at"]).execute();
  await db.schema.dropIndex("events_site_seq").execute();
  await db.schema.alterTable("events").dropColumn("site_seq").execute();
  await db.schema.alterTable("sites").dropColumn("last_event_seq").execute();
}
