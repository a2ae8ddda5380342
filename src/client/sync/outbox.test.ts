// The outbox loop against a real server on a port (in-process Fastify on a temporary SQLite file), over Dexie on
// fake-indexeddb. The app's API paths are relative; here they are resolved against the test server.
import "fake-indexeddb/auto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_LOGIN } from "../../server/sites/demo";
import { startTestServer, type TestServer } from "../../server/testServer";
import { db } from "../data/db";
import { countPending, recordEvent } from "../data/eventLog";
import { syncLoop } from "./outbox";
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
});
