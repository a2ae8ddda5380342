// The app's outbox (over Dexie on fake-indexeddb) against a real server process, through a proxy that drops
// connections before and after the server's work, delays, and answers 5xx at random. However the faults fall, every
// event ends on the server exactly once, the device's queue drains, and pulls bring every other device's event.
import "fake-indexeddb/auto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoginResponse } from "../../domain/protocol";
import { eventStream, prng } from "../../domain/testEvents";
import { openStore } from "../../server/db";
import { type ServerProcess, startServerProcess } from "../../server/serverProcess";
import { DEMO_LOGIN } from "../../server/sites/demo";
import { type FaultProxy, startFaultProxy } from "../../server/testing/faultProxy";
import { db } from "../data/db";
import { countPending, recordEvent } from "../data/eventLog";
import { getDeviceId } from "../data/meta";
import { pageSyncLoop as syncLoop } from "./outbox";
import { signIn } from "./signIn";

const PORT = 19_100 + Math.floor(Math.random() * 90);
const SEED = Number(process.env.FAULT_SEED ?? 20261129);
const realFetch = globalThis.fetch;

let server: ServerProcess;
let proxy: FaultProxy;

beforeAll(async () => {
  server = await startServerProcess(PORT, "outbox-faults");
  proxy = await startFaultProxy(server.base, prng(SEED), 0);
  globalThis.fetch = (input, init) => realFetch(typeof input === "string" ? `${proxy.base}${input}` : input, init);
  await db.delete();
  await db.open();
}, 60_000);
afterAll(async () => {
  globalThis.fetch = realFetch;
  syncLoop.stop();
  await proxy?.close();
  await server?.stop();
});

describe(`outbox through a faulty network (seed ${SEED})`, () => {
  it("stores every event exactly once and pulls every other device's event, whatever the faults", async () => {
    const session = await signIn(DEMO_LOGIN.username, DEMO_LOGIN.password);
    const author = { staffId: session.staff.id, siteCode: session.site.code };
    // Another phone at the site pushes straight to the server; this one must pull all of it through the faults.
    const otherLogin = await realFetch(`${server.base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...DEMO_LOGIN, deviceId: "faulty-net-other-phone" }),
    });
    const other = (await otherLogin.json()) as LoginResponse;
    const otherStream = eventStream("faulty-net-other-phone", "DEMO", other.staff.id);
    const otherIds: string[] = [];

    proxy.faultRate = 0.4;
    for (let round = 0; round < 60; round++) {
      const tubeCode = `FN${String(round).padStart(8, "0")}`;
      await recordEvent(author, "tube.opened", { tubeCode, capacity: 5 });
      for (let r = 0; r < 5; r++) {
        await recordEvent(author, "registration.added", {
          registrationId: crypto.randomUUID(),
          tubeCode,
          resident: { name: "居民", docType: "PP", docNumber: `E${String(round * 10 + r).padStart(8, "0")}` },
        });
      }
      await recordEvent(author, "tube.sealed", { tubeCode, count: 5, short: false });
      const theirs = otherStream.next("tube.opened", { tubeCode: `FO${String(round).padStart(8, "0")}`, capacity: 5 });
      otherIds.push(theirs.id);
      const pushed = await realFetch(`${server.base}/api/v1/events/push`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${other.token}` },
        body: JSON.stringify({ deviceId: "faulty-net-other-phone", events: [theirs] }),
      });
      expect(pushed.status).toBe(200);
      await syncLoop.syncNow();
    }
    // Keep syncing (as the triggers would) until the queue is empty; faults stay on.
    for (let pass = 0; pass < 300 && (await countPending()) > 0; pass++) await syncLoop.syncNow();
    // One clean pass at the end: its pull also checks the server's mark against what this device has confirmed.
    proxy.faultRate = 0;
    await syncLoop.syncNow();
    expect(await countPending()).toBe(0);
    expect(syncLoop.getStatus()).toMatchObject({ phase: "idle", rejected: 0 });

    const local = await db.events.orderBy("seq").toArray();
    const deviceId = await getDeviceId();
    const store = await openStore({ dataDir: server.dataDir });
    try {
      const stored = await store.db
        .selectFrom("events")
        .select(["id", "seq"])
        .where("device_id", "=", deviceId)
        .orderBy("seq")
        .execute();
      expect(stored.map((e) => e.id)).toEqual(local.map((e) => e.id));
      const device = await store.db
        .selectFrom("devices")
        .select("last_seq")
        .where("id", "=", deviceId)
        .executeTakeFirst();
      expect(Number(device?.last_seq)).toBe(local.length);
      const registrations = await store.db
        .selectFrom("registrations")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("device_id", "=", deviceId)
        .executeTakeFirst();
      expect(Number(registrations?.n)).toBe(300);
    } finally {
      await store.db.destroy();
    }
    const pulled = new Set((await db.remoteEvents.toArray()).map((r) => r.id));
    expect(otherIds.every((id) => pulled.has(id))).toBe(true);
    // Every kind of fault really happened.
    console.log("faults injected:", JSON.stringify(proxy.counts));
    for (const fault of ["drop-before", "drop-after", "delay", "503-before", "502-after"] as const) {
      expect(proxy.counts[fault], fault).toBeGreaterThan(0);
    }
  }, 240_000);
});
