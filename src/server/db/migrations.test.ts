// Migrations on a database with data, on both stores. 0007 (labs): station staff, their tokens and devices survive the
// staff table's rebuild (SQLite) or alteration (PostgreSQL); lab staff without a site can be added; foreign keys hold.
// 0008 (command): rows stored before the counters existed are counted by the migration, and later rows by triggers.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Kysely, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { recount, storedCounts } from "../dashboard/counters";
import { TEST_DATABASE_URL, TEST_STORES } from "../testServer";
import { migrateTo, migrateToLatest } from "./migrate";
import { openPostgresStore } from "./postgres";
import type { Database } from "./schema";
import { openSqliteStore } from "./sqlite";

describe.each(TEST_STORES)("migrations 0007 (labs) and 0008 (command) on %s", (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function openEmpty(): Promise<{ db: Kysely<Database>; schema?: string }> {
    if (kind === "sqlite") {
      const dir = mkdtempSync(path.join(tmpdir(), "samplepoint-migration-"));
      const store = openSqliteStore(dir);
      cleanups.push(async () => {
        await store.db.destroy();
        rmSync(dir, { recursive: true, force: true });
      });
      return { db: store.db };
    }
    const schema = `sp_mig_${randomBytes(6).toString("hex")}`;
    const store = await openPostgresStore({ url: TEST_DATABASE_URL as string, schema });
    cleanups.push(async () => {
      await store.db.schema.dropSchema(schema).cascade().execute();
      await store.db.destroy();
    });
    return { db: store.db, schema };
  }

  /** A site as every migration so far knows it. */
  const addSite = (db: Kysely<Database>, now: string) =>
    db
      .insertInto("sites")
      .values({
        code: "S1",
        name: "一号点",
        pool_size: 10,
        tube_pattern: ".*",
        box_pattern: ".*",
        phone_required: 0,
        created_at: now,
      })
      .execute();

  it("keeps station staff, tokens and devices, and takes lab staff without a site", async () => {
    const { db, schema } = await openEmpty();
    await migrateTo(db, "0006_retention_days", schema);
    const now = "2026-12-04T08:00:00.000Z";
    await addSite(db, now);
    await db
      .insertInto("staff")
      .values({
        id: "st-1",
        username: "u1",
        name: "张三",
        role: "collector",
        site_code: "S1",
        password_hash: "h",
        disabled: 0,
        created_at: now,
      })
      .execute();
    await db
      .insertInto("tokens")
      .values({
        hash: "t1",
        staff_id: "st-1",
        site_code: "S1",
        device_id: "d1",
        created_at: now,
        expires_at: now,
        revoked_at: null,
      })
      .execute();
    await db
      .insertInto("devices")
      .values({ id: "d1", site_code: "S1", staff_id: "st-1", last_seq: 3, last_seen_at: now })
      .execute();

    await migrateToLatest(db, schema);
    expect(await db.selectFrom("staff").select(["id", "username", "site_code", "lab_code"]).execute()).toEqual([
      { id: "st-1", username: "u1", site_code: "S1", lab_code: null },
    ]);
    expect(await db.selectFrom("tokens").select(["hash", "staff_id"]).execute()).toEqual([
      { hash: "t1", staff_id: "st-1" },
    ]);
    await db.insertInto("labs").values({ code: "LAB01", name: "芝罘区疾控PCR实验室", created_at: now }).execute();
    await db
      .insertInto("staff")
      .values({
        id: "st-2",
        username: "lab1",
        name: "李四",
        role: "lab",
        site_code: null,
        lab_code: "LAB01",
        password_hash: "h",
        disabled: 0,
        created_at: now,
      })
      .execute();
    // Foreign keys still hold after the rebuild: a token of an unknown staff, or staff of an unknown lab, are refused.
    await expect(
      db
        .insertInto("tokens")
        .values({
          hash: "t2",
          staff_id: "nobody",
          site_code: "S1",
          device_id: "d2",
          created_at: now,
          expires_at: now,
          revoked_at: null,
        })
        .execute(),
    ).rejects.toThrow();
    await expect(
      db
        .insertInto("staff")
        .values({
          id: "st-3",
          username: "lab2",
          name: "王五",
          role: "lab",
          site_code: null,
          lab_code: "NOLAB",
          password_hash: "h",
          disabled: 0,
          created_at: now,
        })
        .execute(),
    ).rejects.toThrow();
    await expect(
      db
        .insertInto("staff")
        .values({
          id: "st-4",
          username: "u1",
          name: "重名",
          role: "collector",
          site_code: "S1",
          password_hash: "h",
          disabled: 0,
          created_at: now,
        })
        .execute(),
    ).rejects.toThrow();
  });
  it.runIf(kind === "sqlite")("rolls the staff rebuild back whole when it fails (SQLite)", async () => {
    const { db } = await openEmpty();
    await migrateTo(db, "0006_retention_days");
    // A staff row whose site does not exist (written with foreign keys off): the rebuild's check finds it.
    await sql`PRAGMA foreign_keys = OFF`.execute(db);
    await sql`INSERT INTO staff (id, username, name, role, site_code, password_hash, disabled, created_at)
      VALUES ('st-9', 'u9', '赵六', 'collector', 'GONE', 'h', 0, '2026-12-04T08:00:00.000Z')`.execute(db);
    await sql`PRAGMA foreign_keys = ON`.execute(db);
    await expect(migrateToLatest(db)).rejects.toThrow(/foreign keys broken/);
    // The old table is untouched (site_code still required), the half-built copy is gone, the row is kept.
    const tables = await sql<{
      name: string;
    }>`SELECT name FROM sqlite_master WHERE name LIKE 'staff%' AND type = 'table'`.execute(db);
    expect(tables.rows.map((r) => r.name)).toEqual(["staff"]);
    const columns = await sql<{ name: string; notnull: number }>`PRAGMA table_info(staff)`.execute(db);
    expect(columns.rows.find((c) => c.name === "site_code")?.notnull).toBe(1);
    expect(await db.selectFrom("staff").select("id").execute()).toEqual([{ id: "st-9" }]);
  });

  it("counts the rows stored before the counters existed, then keeps counting (0008)", async () => {
    const { db, schema } = await openEmpty();
    await migrateTo(db, "0007_labs", schema);
    const now = "2021-08-03T02:00:00.000Z";
    await addSite(db, now);
    const tube = (code: string, status: string) => ({
      site_code: "S1",
      code,
      capacity: 10,
      status,
      opened_at: now,
      opened_by_device: "d1",
      sealed_at: null,
      sealed_count: null,
      short: 0,
      box_code: null,
      transferred_to: null,
      void_reason: null,
    });
    await db
      .insertInto("tubes")
      .values([tube("T1", "sealed"), tube("T2", "open")])
      .execute();
    const registration = (id: string, tubeCode: string) => ({
      id,
      site_code: "S1",
      tube_code: tubeCode,
      name: "居民",
      doc_type: "PP",
      doc_number: `E${id}`,
      phone: null,
      community: null,
      registered_at: now,
      device_id: "d1",
      staff_id: "st-1",
      event_id: `e-${id}`,
      voided_at: null,
      void_reason: null,
      repeat_reason: null,
    });
    await db
      .insertInto("registrations")
      .values([registration("1", "T1"), registration("2", "T2")])
      .execute();

    await migrateToLatest(db, schema);
    const counts = await storedCounts(db);
    expect(counts.get("S1\u00002021-08-03")?.counts).toMatchObject({
      registrations: 2,
      tubes_sealed: 1,
      tubes_open: 1,
    });
    await db.insertInto("registrations").values(registration("3", "T2")).execute();
    expect((await storedCounts(db)).get("S1\u00002021-08-03")?.counts.registrations).toBe(3);
    expect(await recount(db)).toEqual([]);
  });
});
