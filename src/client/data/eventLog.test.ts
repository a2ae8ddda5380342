// The device's event log over a real Dexie database (fake-indexeddb).
import "fake-indexeddb/auto";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "./db";
import { countPending, markSyncResults, recordEvent, requeueAfter } from "./eventLog";

const author = { staffId: "staff-1", siteCode: "DEMO" };
const open = (n: number) =>
  recordEvent(author, "tube.opened", { tubeCode: `YT${String(n).padStart(8, "0")}`, capacity: 10 });

beforeEach(async () => {
  await db.delete();
  await db.open();
});

describe("putting events back in the queue when the server lost them", () => {
  it("queues every event after the server's mark again, in chunks, and keeps quarantine decisions", async () => {
    const events = [];
    for (let n = 1; n <= 23; n++) events.push(await open(n));
    const [first, second] = events;
    if (!first || !second) throw new Error("no events");
    await markSyncResults(
      events.slice(2).map((e) => e.id),
      [{ id: second.id, code: "invalid_event", message: "bad" }],
    );
    await markSyncResults([first.id], []);
    await db.events.update(second.id, { resolution: { decision: "discarded", reason: "人已离开", at: "x" } });
    expect(await countPending()).toBe(0);

    expect(await requeueAfter(1, 5)).toBe(2);
    const states = (await db.events.orderBy("seq").toArray()).map((s) => [s.seq, s.syncState, s.syncedAt]);
    expect(states[0]).toEqual([1, "synced", expect.any(String)]);
    expect(states.slice(1)).toEqual(events.slice(1).map((e) => [e.seq, "pending", undefined]));
    expect((await db.events.get(second.id))?.resolution?.decision).toBe("discarded");
    expect(await requeueAfter(23, 5)).toBe(2);
  });

  it("lets a registration through while a long log is put back, instead of holding the event store until the end", async () => {
    for (let n = 1; n <= 400; n++) await open(n);
    await markSyncResults(
      (await db.events.toArray()).map((s) => s.id),
      [],
    );
    let requeueDone = false;
    const requeue = requeueAfter(0, 20).then((first) => {
      requeueDone = true;
      return first;
    });
    // A scan arrives just after the requeue started: it must not wait for all 400 events.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const scanned = await open(401);
    expect(requeueDone).toBe(false);
    expect(await requeue).toBe(1);
    expect(scanned.seq).toBe(401);
    expect(await countPending()).toBe(401);
  });
});
