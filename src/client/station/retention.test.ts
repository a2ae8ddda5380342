// Retention on the phone over a real Dexie database (fake-indexeddb): what is deleted, what never is, and that the
// counters keep their figures across a restart.
import "fake-indexeddb/auto";
import { beforeEach, describe, expect, it } from "vitest";
import { countsOfDay } from "../../domain/projection";
import { siteDay } from "../../domain/siteDay";
import { snapshotOf } from "../../domain/stateSnapshot";
import { eventStream } from "../../domain/testEvents";
import { db } from "../data/db";
import { type EventAuthor, markSyncResults, recordEvent } from "../data/eventLog";
import { getDeviceId, getMeta } from "../data/meta";
import { storePulledPage } from "../data/remoteEvents";
import { purgeExpiredRecords } from "./retention";
import { StationStore } from "./stationStore";

const author: EventAuthor = { staffId: "staff-1", siteCode: "DEMO" };
const DAY = 24 * 60 * 60 * 1000;
/** The clean-up runs "ten days later": everything recorded now is older than a 7-day retention. */
const later = () => new Date(Date.now() + 10 * DAY);

async function boxedTube(tube: string, box: string, people: string[], handOver = true) {
  await recordEvent(author, "tube.opened", { tubeCode: tube, capacity: 10 });
  for (const [i, name] of people.entries()) {
    await recordEvent(author, "registration.added", {
      registrationId: crypto.randomUUID(),
      tubeCode: tube,
      resident: { name, docType: "PP", docNumber: `E${tube.slice(-2)}00000${i}` },
    });
  }
  await recordEvent(author, "tube.sealed", { tubeCode: tube, count: people.length, short: true });
  await recordEvent(author, "box.opened", { boxCode: box });
  await recordEvent(author, "box.tube_added", { boxCode: box, tubeCode: tube });
  await recordEvent(author, "box.closed", { boxCode: box, tubeCount: 1 });
  if (handOver) {
    await recordEvent(author, "box.handed_over", { boxCode: box, courierName: "王师傅", courierPhone: "13900001111" });
  }
}

const syncAll = async () =>
  markSyncResults(
    (await db.events.where("syncState").equals("pending").toArray()).map((s) => s.id),
    [],
  );

const today = siteDay(new Date().toISOString());
const figures = async (store: StationStore) => countsOfDay(await store.load(), today, await getDeviceId());

beforeEach(async () => {
  await db.delete();
  await db.open();
});

describe("retention clean-up on the phone", () => {
  it("deletes old synced records of handed-over boxes, own and pulled, and keeps the day's counters across a restart", async () => {
    await boxedTube("RT000001", "RB0001", ["张一", "张二"]);
    await boxedTube("RT000002", "RB0002", ["李一"], false);
    await syncAll();
    const other = eventStream("other-device", "DEMO", "staff-2");
    await storePulledPage(
      [
        other.next("tube.opened", { tubeCode: "RT000009", capacity: 10 }, { occurredAt: new Date().toISOString() }),
        other.next("box.opened", { boxCode: "RB0009" }, { occurredAt: new Date().toISOString() }),
        other.next(
          "box.tube_added",
          { boxCode: "RB0009", tubeCode: "RT000009" },
          { occurredAt: new Date().toISOString() },
        ),
        other.next(
          "box.handed_over",
          { boxCode: "RB0009", courierName: "赵师傅", courierPhone: "13900002222" },
          { occurredAt: new Date().toISOString() },
        ),
      ],
      { siteCode: "DEMO", after: 4, afterId: null },
    );
    const store = new StationStore();
    await store.load();
    const before = await figures(store);
    expect(before).toEqual({ deviceRegistrations: 3, deviceTubes: 2, siteRegistrations: 3 });

    const outcome = await purgeExpiredRecords(7, later(), store);
    expect(outcome).toMatchObject({ heldBack: false, removed: 8 + 4 });
    // Left: the box never handed over and its tube (6 events).
    expect(await db.events.count()).toBe(6);
    expect(await db.remoteEvents.count()).toBe(0);
    const state = await store.load();
    expect([...state.tubes.keys()]).toEqual(["RT000002"]);
    expect([...state.boxes.keys()]).toEqual(["RB0002"]);
    expect(await figures(store)).toEqual(before);
    // A restart (from the snapshot) and a rebuild from the events alone give the same state and figures.
    const restarted = new StationStore();
    expect(snapshotOf(await restarted.load())).toEqual(snapshotOf(state));
    expect(await figures(restarted)).toEqual(before);
    await db.snapshots.clear();
    const rebuilt = new StationStore();
    expect(snapshotOf(await rebuilt.load())).toEqual(snapshotOf(state));
    expect(await figures(rebuilt)).toEqual(before);
    expect(await getMeta("lastPurge")).toMatchObject({ removed: 12 });
    // Nothing more to do the next time.
    expect((await purgeExpiredRecords(7, later(), rebuilt))?.removed).toBe(0);
  });

  it("a second tab cleaning up after the first, from its older state, does not count the same records twice", async () => {
    await boxedTube("RT000005", "RB0005", ["周一", "周二"]);
    await syncAll();
    const firstTab = new StationStore();
    const secondTab = new StationStore();
    await firstTab.load();
    await secondTab.load();
    const before = await figures(secondTab);
    expect((await purgeExpiredRecords(7, later(), firstTab))?.removed).toBe(8);
    expect((await purgeExpiredRecords(7, later(), secondTab))?.removed).toBe(0);
    expect(await figures(secondTab)).toEqual(before);
    expect(await figures(new StationStore())).toEqual(before);
  });

  it("never deletes an unsynced or quarantined event: records it concerns are kept until it is settled", async () => {
    await boxedTube("RT000003", "RB0003", ["王一", "王二"]);
    await syncAll();
    // One registration of that tube was refused by the server and waits in quarantine.
    const [rejected] = await db.events.where("seq").equals(2).toArray();
    await markSyncResults([], [{ id: rejected?.id as string, code: "invalid_event", message: "bad name" }]);
    const store = new StationStore();
    await store.load();
    const held = await purgeExpiredRecords(7, later(), store);
    expect(held).toMatchObject({ heldBack: true, removed: 0 });
    expect(await db.events.count()).toBe(8);
    expect((await store.load()).tubes.has("RT000003")).toBe(true);

    // An unsynced event of another, unrelated tube is never touched while the settled box goes.
    await db.events.update(rejected?.id as string, {
      resolution: { decision: "discarded", reason: "人已离开", at: new Date().toISOString() },
    });
    await store.reload();
    await store.apply(await recordEvent(author, "tube.opened", { tubeCode: "RT000004", capacity: 10 }));
    const pendingBefore = await db.events.where("syncState").equals("pending").count();
    const done = await purgeExpiredRecords(7, later(), store);
    expect(done?.heldBack).toBe(false);
    expect(await db.events.where("syncState").equals("pending").count()).toBe(pendingBefore);
    expect(await db.events.where("syncState").equals("rejected").count()).toBe(1);
    expect([...(await store.load()).tubes.keys()]).toEqual(["RT000004"]);
  });

  it("finds old pulled events however late they arrived, and a pull from the start does not bring purged ones back", async () => {
    const other = eventStream("other-device", "DEMO", "staff-2");
    const now = new Date().toISOString();
    // A recent event arrives first; the old handed-over box of a phone that was offline arrives after it.
    const recent = other.next(
      "tube.opened",
      { tubeCode: "RT000020", capacity: 10 },
      { occurredAt: new Date(Date.now() + 9 * DAY).toISOString() },
    );
    const oldBox = [
      other.next("tube.opened", { tubeCode: "RT000021", capacity: 10 }, { occurredAt: now }),
      other.next(
        "registration.added",
        {
          registrationId: crypto.randomUUID(),
          tubeCode: "RT000021",
          resident: { name: "孙一", docType: "PP", docNumber: "E21000001" },
        },
        { occurredAt: now },
      ),
      other.next("tube.sealed", { tubeCode: "RT000021", count: 1, short: true }, { occurredAt: now }),
      other.next("box.opened", { boxCode: "RB0021" }, { occurredAt: now }),
      other.next("box.tube_added", { boxCode: "RB0021", tubeCode: "RT000021" }, { occurredAt: now }),
      other.next("box.closed", { boxCode: "RB0021", tubeCount: 1 }, { occurredAt: now }),
      other.next(
        "box.handed_over",
        { boxCode: "RB0021", courierName: "赵师傅", courierPhone: "13900002222" },
        { occurredAt: now },
      ),
    ];
    await storePulledPage([recent], { siteCode: "DEMO", after: 1, afterId: null });
    await storePulledPage(oldBox, { siteCode: "DEMO", after: 8, afterId: null });
    const store = new StationStore();
    await store.load();
    const before = await figures(store);
    expect(before.siteRegistrations).toBe(1);

    expect((await purgeExpiredRecords(7, later(), store))?.removed).toBe(oldBox.length);
    expect(await db.remoteEvents.count()).toBe(1);
    expect(await db.tombstones.count()).toBe(2);

    // Signed in at another site and back: the pull starts from the beginning and the server sends everything again.
    expect(await storePulledPage([recent, ...oldBox], { siteCode: "DEMO", after: 8, afterId: null })).toBe(0);
    expect(await db.remoteEvents.count()).toBe(1);
    await store.reload();
    expect(await figures(store)).toEqual(before);
    expect(await figures(new StationStore())).toEqual(before);

    // Tombstones go after 60 days; the pull floor then keeps events that old out instead.
    const { buryExpired } = await import("../data/retentionStore");
    const nothing = { tubes: new Set<string>(), boxes: new Set<string>(), registrations: new Set<string>() };
    const muchLater = new Date(Date.now() + 71 * DAY);
    await buryExpired(nothing, muchLater, muchLater.toISOString(), "DEMO");
    expect(await db.tombstones.count()).toBe(0);
    // The floor is the cutoff of the clean-up that purged them (ten days on, minus seven), not the clock at pruning;
    // and it is this site's only.
    const floor = Date.parse((await getMeta("pullFloors"))?.DEMO ?? "");
    expect(Math.abs(floor - (Date.now() + 3 * DAY))).toBeLessThan(60_000);
    expect(await storePulledPage(oldBox, { siteCode: "DEMO", after: 8, afterId: null })).toBe(0);
    const elsewhere = eventStream("device-b", "SITE-B", "staff-3");
    const oldAtSiteB = elsewhere.next("tube.opened", { tubeCode: "RT000030", capacity: 10 }, { occurredAt: now });
    expect(await storePulledPage([oldAtSiteB], { siteCode: "SITE-B", after: 1, afterId: null })).toBe(1);
    await store.reload();
    expect(await figures(store)).toEqual(before);
  });
});
