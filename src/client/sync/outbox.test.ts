// The outbox loop against a real server on a port (in-process Fastify on a temporary SQLite file), over Dexie on
// fake-indexeddb. The app's API paths are relative; here they are resolved against the test server.
import "fake-indexeddb/auto";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LoginResponse } from "../../domain/protocol";
import { eventStream } from "../../domain/testEvents";
import { DEMO_LOGIN } from "../../server/sites/demo";
import { startTestServer, type TestServer } from "../../server/testServer";
import { db } from "../data/db";
import { countPending, eventOf, recordEvent } from "../data/eventLog";
import { getDeviceId } from "../data/meta";
import { pageSyncLoop as syncLoop } from "./outbox";
import { signIn } from "./signIn";

let server: TestServer;
let base = "";
const realFetch = globalThis.fetch;

async function listen(dataDir?: string) {
  server = await startTestServer(dataDir ? { dataDir } : {});
  base = await server.app.listen({ port: 0, host: "127.0.0.1" });
}

beforeAll(async () => {
  await listen();
  globalThis.fetch = (input, init) => realFetch(typeof input === "string" ? `${base}${input}` : input, init);
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await server.dispose();
});
beforeEach(async () => {
  await db.delete();
  await db.open();
});

const secondsUntil = (iso: string | undefined) => (iso ? (Date.parse(iso) - Date.now()) / 1000 : Number.NaN);

describe("outbox loop", () => {
  it("backs off with growing delays while the server is down, keeps the events, and syncs when it is back", async () => {
    const session = await signIn(DEMO_LOGIN.username, DEMO_LOGIN.password);
    const author = { staffId: session.staff.id, siteCode: session.site.code };
    // The app's one loop: signing in has already started a pass on it.
    const loop = syncLoop;
    await recordEvent(author, "tube.opened", { tubeCode: "YT00000001", capacity: 10 });
    await loop.syncNow();
    expect(await countPending()).toBe(0);
    expect(loop.getStatus()).toMatchObject({ phase: "idle", pending: 0 });

    await server.stop();
    await recordEvent(author, "tube.opened", { tubeCode: "YT00000002", capacity: 10 });
    await loop.syncNow();
    expect(loop.getStatus()).toMatchObject({ phase: "offline", lastError: "network", pending: 1 });
    const first = secondsUntil(loop.getStatus().retryAt);
    expect(first).toBeGreaterThan(0.3);
    expect(first).toBeLessThanOrEqual(1);
    await loop.syncNow();
    await loop.syncNow();
    const third = secondsUntil(loop.getStatus().retryAt);
    expect(third).toBeGreaterThan(1.5);
    expect(third).toBeLessThanOrEqual(4);
    expect(await countPending()).toBe(1);

    await listen(server.dataDir);
    await loop.syncNow();
    expect(await countPending()).toBe(0);
    expect(loop.getStatus()).toMatchObject({ phase: "idle", pending: 0, retryAt: undefined, lastError: undefined });
    loop.stop();
  });

  it("pulls the other devices' events and sends again what a server restored from a backup lost", async () => {
    const session = await signIn(DEMO_LOGIN.username, DEMO_LOGIN.password);
    const author = { staffId: session.staff.id, siteCode: session.site.code };
    const loop = syncLoop;
    let remoteCalls = 0;
    const unsubscribe = loop.onRemoteEvents(() => remoteCalls++);
    await recordEvent(author, "tube.opened", { tubeCode: "YT10000001", capacity: 10 });
    await loop.syncNow();
    expect(await countPending()).toBe(0);

    // Another phone at the site pushes three events; this one pulls them into its remote table.
    const otherLogin = await server.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { ...DEMO_LOGIN, deviceId: "outbox-other-phone" },
    });
    const other = otherLogin.json<LoginResponse>();
    const stream = eventStream("outbox-other-phone", "DEMO", other.staff.id);
    const theirs = [1, 2, 3].map((n) => stream.next("tube.opened", { tubeCode: `YT2000000${n}`, capacity: 10 }));
    const pushed = await server.app.inject({
      method: "POST",
      url: "/api/v1/events/push",
      headers: { authorization: `Bearer ${other.token}` },
      payload: { deviceId: "outbox-other-phone", events: theirs },
    });
    expect(pushed.statusCode).toBe(200);
    const callsBefore = remoteCalls;
    await loop.syncNow();
    // (The first test's phone, an earlier install on this server, is another device too.)
    const fromOther = async () =>
      (await Promise.all((await db.remoteEvents.toArray()).map(eventOf)))
        .filter((e) => e.deviceId === "outbox-other-phone")
        .map((e) => e.id);
    expect(await fromOther()).toEqual(theirs.map((e) => e.id));
    expect(remoteCalls).toBe(callsBefore + 1);
    // Pulling again brings nothing twice.
    const held = await db.remoteEvents.count();
    await loop.syncNow();
    expect(await db.remoteEvents.count()).toBe(held);
    expect(remoteCalls).toBe(callsBefore + 1);

    // A backup is taken now; two more events are synced; then the server is restored from the backup.
    await server.stop();
    const backup = await mkdtemp(join(tmpdir(), "outbox-backup-"));
    await cp(server.dataDir, backup, { recursive: true });
    await listen(server.dataDir);
    await recordEvent(author, "tube.opened", { tubeCode: "YT10000002", capacity: 10 });
    await recordEvent(author, "tube.opened", { tubeCode: "YT10000003", capacity: 10 });
    await loop.syncNow();
    expect(await countPending()).toBe(0);
    await server.stop();
    await rm(server.dataDir, { recursive: true });
    await cp(backup, server.dataDir, { recursive: true });
    await rm(backup, { recursive: true });
    await listen(server.dataDir);

    // The pull shows the server's mark below what this device had confirmed: the two are queued and sent again.
    await loop.syncNow();
    expect(await countPending()).toBe(0);
    const deviceId = await getDeviceId();
    const stored = await server.store.db
      .selectFrom("events")
      .select("seq")
      .where("device_id", "=", deviceId)
      .orderBy("seq")
      .execute();
    expect(stored.map((e) => Number(e.seq))).toEqual([1, 2, 3]);
    expect(loop.getStatus()).toMatchObject({ phase: "idle", lastError: undefined });
    unsubscribe();
    loop.stop();
  });
});
