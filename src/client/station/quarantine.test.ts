// The quarantine over a real Dexie database (fake-indexeddb): decisions are events, and decided events leave the state.
import "fake-indexeddb/auto";
import { beforeEach, describe, expect, it } from "vitest";
import { activeMembers, countsOfDay, project, type StationState } from "../../domain/projection";
import { siteDay } from "../../domain/siteDay";
import { snapshotOf } from "../../domain/stateSnapshot";
import { db } from "../data/db";
import { allEvents, countRejected, eventOf, markSyncResults, recordEvent, requeueAfter } from "../data/eventLog";
import { getDeviceId } from "../data/meta";
import { discardQuarantined, listQuarantine, resubmitQuarantined } from "./quarantine";
import { StationStore } from "./stationStore";

const author = { staffId: "staff-1", siteCode: "DEMO" };

beforeEach(async () => {
  await db.delete();
  await db.open();
});

async function tubeWithTwo(store: StationStore) {
  const opened = await recordEvent(author, "tube.opened", { tubeCode: "YT00000001", capacity: 5 });
  const registration = (name: string, docNumber: string) =>
    recordEvent(author, "registration.added", {
      registrationId: crypto.randomUUID(),
      tubeCode: "YT00000001",
      resident: { name, docType: "PP", docNumber },
    });
  const first = await registration("张三", "E10000001");
  const second = await registration("李四", "E10000002");
  for (const event of [opened, first, second]) await store.apply(event);
  // The server accepted the first two and rejected the third.
  await markSyncResults([opened.id, first.id], [{ id: second.id, code: "invalid_event", message: "bad name" }]);
  return { first, second };
}

describe("quarantine", () => {
  it("lists rejected events, and resubmits a corrected registration in place of the rejected one", async () => {
    const store = new StationStore();
    await store.load();
    const { second } = await tubeWithTwo(store);
    const listed = await listQuarantine();
    expect(listed.map((s) => [s.id, s.rejection?.code])).toEqual([[second.id, "invalid_event"]]);

    const [stored] = listed;
    if (!stored) throw new Error("nothing listed");
    expect(await resubmitQuarantined(author, stored, "  ")).toEqual({ ok: false, error: { code: "reason_required" } });
    const badFix = await resubmitQuarantined(author, stored, "改名", { name: "李四", docType: "ID", docNumber: "123" });
    expect(badFix).toMatchObject({ ok: false, error: { code: "invalid_resident" } });

    const fixed = await resubmitQuarantined(
      author,
      stored,
      "姓名更正",
      { name: "李思", docType: "PP", docNumber: "E10000002" },
      store,
    );
    expect(fixed.ok).toBe(true);
    expect(await listQuarantine()).toEqual([]);
    expect(await countRejected()).toBe(0);

    // Two new events wait to be pushed: the replacement and the decision naming both.
    const pending = await Promise.all(
      (await db.events.where("syncState").equals("pending").sortBy("seq")).map(eventOf),
    );
    expect(pending.map((e) => e.type)).toEqual(["registration.added", "quarantine.resolved"]);
    const [replacement, decision] = pending;
    expect(replacement?.type === "registration.added" && replacement.payload.resident.name).toBe("李思");
    expect(decision?.payload).toEqual({
      eventId: second.id,
      decision: "resubmitted",
      reason: "姓名更正",
      rejectionCode: "invalid_event",
      replacementId: replacement?.id,
    });
    // The state holds the corrected registration, once.
    const tube = store.getSnapshot().state.tubes.get("YT00000001");
    expect(tube?.registrationIds).toHaveLength(2);
    const names = tube?.registrationIds.map((id) => store.getSnapshot().state.registrations.get(id)?.resident.name);
    expect(names).toEqual(["张三", "李思"]);
    // Deciding twice is refused.
    expect(await discardQuarantined(author, second.id, "again", store)).toEqual({
      ok: false,
      error: { code: "not_quarantined" },
    });
  });

  it("discards with a reason; the event stays in the log but leaves the state, also after a restart", async () => {
    const store = new StationStore();
    await store.load();
    const { second } = await tubeWithTwo(store);
    expect(await discardQuarantined(author, second.id, "", store)).toEqual({
      ok: false,
      error: { code: "reason_required" },
    });
    expect(await discardQuarantined(author, second.id, "重复登记，人已离开", store)).toEqual({
      ok: true,
      value: undefined,
    });
    expect(store.getSnapshot().state.tubes.get("YT00000001")?.registrationIds).toHaveLength(1);
    expect((await allEvents()).some((e) => e.id === second.id)).toBe(true);
    expect((await db.events.get(second.id))?.resolution).toMatchObject({
      decision: "discarded",
      reason: "重复登记，人已离开",
    });
    const restarted = await new StationStore().load();
    expect(restarted.tubes.get("YT00000001")?.registrationIds).toHaveLength(1);
  });
});

/** What the station shows for tube YT00000001 and today's counters of this device and the site. */
async function shown(state: StationState) {
  const counts = countsOfDay(state, siteDay(new Date().toISOString()), await getDeviceId());
  return {
    members: activeMembers(state, "YT00000001").map((r) => r.resident.name),
    device: counts.deviceRegistrations,
    site: counts.siteRegistrations,
  };
}

/** The state every event but the left-out ones (rejected or decided) would give. */
async function expectedState() {
  const stored = await db.events.orderBy("seq").toArray();
  return project(await Promise.all(stored.filter((s) => s.syncState !== "rejected" && !s.resolution).map(eventOf)));
}

describe("rejected events leave the station's state until resubmitted", () => {
  it("takes a rejected registration out of the tube and the counters, and back in when resubmitted", async () => {
    const store = new StationStore();
    await store.load();
    await tubeWithTwo(store);
    await store.followQuarantine();
    expect(await shown(store.getSnapshot().state)).toEqual({ members: ["张三"], device: 1, site: 1 });
    // A new start (no snapshot) leaves it out too.
    expect(await shown(await new StationStore().load())).toEqual({ members: ["张三"], device: 1, site: 1 });

    const [stored] = await listQuarantine();
    if (stored?.event.type !== "registration.added") throw new Error("no registration listed");
    const corrected = { ...stored.event.payload.resident, name: "李思" };
    const fixed = await resubmitQuarantined(author, stored, "姓名更正", corrected, store);
    expect(fixed.ok).toBe(true);
    expect(await shown(store.getSnapshot().state)).toEqual({ members: ["张三", "李思"], device: 2, site: 2 });
    expect(await shown(await new StationStore().load())).toEqual({ members: ["张三", "李思"], device: 2, site: 2 });
  });

  it("never starts from a snapshot that holds an event rejected after it was saved", async () => {
    const store = new StationStore();
    await store.load();
    const opened = await recordEvent(author, "tube.opened", { tubeCode: "YT00000001", capacity: 5 });
    const first = await recordEvent(author, "registration.added", {
      registrationId: crypto.randomUUID(),
      tubeCode: "YT00000001",
      resident: { name: "张三", docType: "PP", docNumber: "E10000001" },
    });
    for (const event of [opened, first]) await store.apply(event);
    await store.flush(); // saved while the registration still counted (the page was hidden, say)
    expect((await db.snapshots.get("station"))?.lastSeq).toBe(2);
    await markSyncResults([opened.id], [{ id: first.id, code: "invalid_event", message: "bad name" }]);

    const restarted = await new StationStore().load();
    expect(await shown(restarted)).toEqual({ members: [], device: 0, site: 0 });
    expect(snapshotOf(restarted)).toEqual(snapshotOf(await expectedState()));
    // The wrong snapshot is gone; the state re-projected without the event is saved in its place, and used.
    expect(await db.snapshots.get("station")).toBeUndefined();
    await store.followQuarantine();
    await store.flush();
    expect((await db.snapshots.get("station"))?.leftOut).toEqual([2]);
    const again = await new StationStore().load();
    expect(await db.snapshots.get("station")).toBeDefined();
    expect(snapshotOf(again)).toEqual(snapshotOf(await expectedState()));
  });

  it("drops a snapshot of an older version that holds an undecided rejected event", async () => {
    const store = new StationStore();
    await store.load();
    await tubeWithTwo(store); // rejected, but this store does not know yet: its state holds the event
    await store.flush();
    // As an older version saved it: no list of left-out events.
    await db.snapshots.update("station", { leftOut: undefined });
    const restarted = await new StationStore().load();
    expect(await shown(restarted)).toEqual({ members: ["张三"], device: 1, site: 1 });
    expect(await db.snapshots.get("station")).toBeUndefined();
  });

  it("a snapshot saved after the rejection stays usable when staff decide the event", async () => {
    const store = new StationStore();
    await store.load();
    const { second } = await tubeWithTwo(store);
    await store.followQuarantine();
    await store.flush();
    expect(await discardQuarantined(author, second.id, "人已离开", store)).toEqual({ ok: true, value: undefined });
    expect(await shown(store.getSnapshot().state)).toEqual({ members: ["张三"], device: 1, site: 1 });
    const restarted = await new StationStore().load();
    expect(await db.snapshots.get("station")).toBeDefined();
    expect(snapshotOf(restarted)).toEqual(snapshotOf(await expectedState()));
  });

  it("counts a rejected event again when it goes back in the queue (the server lost its events)", async () => {
    const store = new StationStore();
    await store.load();
    await tubeWithTwo(store);
    await store.followQuarantine();
    await store.flush();
    expect(await shown(store.getSnapshot().state)).toEqual({ members: ["张三"], device: 1, site: 1 });
    await requeueAfter(0);
    await store.followQuarantine();
    expect(await shown(store.getSnapshot().state)).toEqual({ members: ["张三", "李四"], device: 2, site: 2 });
    // The snapshot that left it out is not used any more either.
    expect(snapshotOf(await new StationStore().load())).toEqual(snapshotOf(await expectedState()));
    expect(await shown(await new StationStore().load())).toEqual({ members: ["张三", "李四"], device: 2, site: 2 });
  });
});
