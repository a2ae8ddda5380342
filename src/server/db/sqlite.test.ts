// The embedded store's durability machinery: the coalesced log sync, the answer that waits for it, and the checkpoint
// thread that keeps the log small.
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { DEMO_LOGIN } from "../sites/demo";
import { startTestServer } from "../testServer";
import { coalesced, openSqliteStore, SQLITE_FILE_NAME } from "./sqlite";

describe("coalesced", () => {
  it("gives a caller a run that started after its call, and lets callers during a run share the next", async () => {
    const runs: { started: number; finish: () => void }[] = [];
    let clock = 0;
    const sync = coalesced(
      () =>
        new Promise<void>((resolve) => {
          runs.push({ started: ++clock, finish: resolve });
        }),
    );
    const first = sync();
    expect(runs).toHaveLength(1);
    // Three callers while the first run is under way: one more run, after the first, for all three.
    const during = [sync(), sync(), sync()];
    expect(runs).toHaveLength(1);
    let secondDone = false;
    void Promise.all(during).then(() => {
      secondDone = true;
    });
    runs[0]?.finish();
    await first;
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toHaveLength(2);
    expect(secondDone).toBe(false);
    runs[1]?.finish();
    await Promise.all(during);
    expect(runs).toHaveLength(2);
    // Idle again: the next caller starts a run of its own at once.
    void sync();
    expect(runs).toHaveLength(3);
    runs[2]?.finish();
  });
});

describe("the SQLite store", () => {
  it("does not answer a request that wrote until its writes are synced, and fails it if the sync fails", async () => {
    const server = await startTestServer();
    try {
      let syncs = 0;
      const realDurable = server.store.durable;
      server.store.durable = async () => {
        syncs++;
        await realDurable();
      };
      const login = () =>
        server.app.inject({
          method: "POST",
          url: "/api/v1/auth/login",
          payload: { ...DEMO_LOGIN, deviceId: "durable-device" },
        });
      expect((await login()).statusCode).toBe(200);
      expect(syncs).toBe(1);
      // Reads need no sync.
      expect((await server.app.inject({ method: "GET", url: "/api/health" })).statusCode).toBe(200);
      expect(syncs).toBe(1);
      server.store.durable = async () => {
        throw new Error("disk gone");
      };
      expect((await login()).statusCode).toBe(500);
    } finally {
      await server.dispose();
    }
  });

  it("keeps the write-ahead log small: the checkpoint thread copies it back while writes go on", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "samplepoint-wal-"));
    const store = openSqliteStore(dir);
    try {
      await sql`CREATE TABLE filler (id INTEGER PRIMARY KEY, payload TEXT)`.execute(store.db);
      const payload = "x".repeat(4000);
      // 40 MB in 40 transactions, with pauses in which the thread can checkpoint (it never blocks a writer).
      for (let t = 0; t < 40; t++) {
        await store.db.transaction().execute(async (trx) => {
          for (let i = 0; i < 250; i++) await sql`INSERT INTO filler (payload) VALUES (${payload})`.execute(trx);
        });
        await new Promise((r) => setTimeout(r, 60));
      }
      // One more checkpoint round, then a write: the log starts over (a slow disk may have let a burst outrun it).
      await new Promise((r) => setTimeout(r, 600));
      await sql`INSERT INTO filler (payload) VALUES (${payload})`.execute(store.db);
      const walBytes = statSync(path.join(dir, `${SQLITE_FILE_NAME}-wal`)).size;
      // The main connection never checkpoints (wal_autocheckpoint = 0): without the thread the log would hold all
      // 40 MB.
      expect(walBytes).toBeLessThan(15_000_000);
    } finally {
      await store.db.destroy();
    }
  });
});
