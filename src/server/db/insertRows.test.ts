// Bulk inserts on both stores: PostgreSQL takes arrays (unnest), whose text form must survive every character a
// resident's name or a free-text field may hold.
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, TEST_STORES, type TestServer } from "../testServer";
import { insertRows } from "./insertRows";

let server: TestServer;
afterEach(async () => {
  await server.dispose();
});

const awkward = ['with "quotes"', "back\\slash", "comma, {braces}", "NULL", "", " spaced ", "郑一 🧪", "new\nline"];

describe.each(TEST_STORES)("insertRows on %s", (kind) => {
  it("stores every value as given, nulls included, skips conflicting rows and returns only the inserted ones", async () => {
    server = await startTestServer({ kind });
    const db = server.store.db;
    const rows = awkward.map((text, i) => ({
      site_code: "DEMO",
      code: `AWK${String(i).padStart(5, "0")}`,
      capacity: 10,
      status: "open",
      opened_at: "2026-11-29T08:00:00.000Z",
      opened_by_device: text,
      sealed_at: null,
      sealed_count: i % 2 === 0 ? null : i,
      short: i % 2,
      box_code: null,
      transferred_to: null,
      void_reason: text,
    }));
    const first = await db.transaction().execute((trx) =>
      insertRows(trx, server.store.dialect, "tubes", rows.slice(0, 4), {
        onConflictDoNothing: ["site_code", "code"],
        returning: ["code"],
      }),
    );
    expect(first.map((r) => r.code)).toEqual(rows.slice(0, 4).map((r) => r.code));
    const second = await db.transaction().execute((trx) =>
      insertRows(trx, server.store.dialect, "tubes", rows, {
        onConflictDoNothing: ["site_code", "code"],
        returning: ["code"],
      }),
    );
    expect(second.map((r) => r.code).sort()).toEqual(rows.slice(4).map((r) => r.code));
    const stored = await db
      .selectFrom("tubes")
      .select(["code", "capacity", "opened_by_device", "void_reason", "sealed_at", "sealed_count", "short"])
      .where("code", "like", "AWK%")
      .orderBy("code")
      .execute();
    expect(stored).toEqual(
      rows.map((r) => ({
        code: r.code,
        capacity: 10,
        opened_by_device: r.opened_by_device,
        void_reason: r.void_reason,
        sealed_at: null,
        sealed_count: r.sealed_count,
        short: r.short,
      })),
    );
  });
});
