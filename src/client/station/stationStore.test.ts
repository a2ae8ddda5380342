// The station store over a real Dexie database (fake-indexeddb): start from a saved snapshot plus the events after it.
import "fake-indexeddb/auto";
import { beforeEach, describe, expect, it } from "vitest";
import type { SampleEvent } from "../../domain/events";
import { project, registrationsOfDocument } from "../../domain/projection";
import { snapshotOf } from "../../domain/stateSnapshot";
import { eventStream } from "../../domain/testEvents";
import { db } from "../data/db";
import { allEvents, eventOf, recordEvent } from "../data/eventLog";
import { storePulledPage } from "../data/remoteEvents";
import { loadSnapshot } from "../data/snapshot";
import { StationStore } from "./stationStore";

const author = { staffId: "staff-1", siteCode: "DEMO" };

beforeEach(async () => {
  await db.delete();
  await db.open();
});

async function recordTube(store: StationStore | null, n: number) {
  const tubeCode = `YT${String(n).padStart(8, "0")}`;
  const events = [await recordEvent(author, "tube.opened", { tubeCode, capacity: 5 })];
  for (let r = 0; r < 3; r++) {
    events.push(
      await recordEvent(author, "registration.added", {
        registrationId: crypto.randomUUID(),
        tubeCode,
        resident: { name: "居民", docType: "PP", docNumber: `E${n}${r}` },
      }),
    );
  }
  events.push(await recordEvent(author, "tube.sealed", { tubeCode, count: 3, short: true }));
  for (const event of events) await store?.apply(event);
}

const waitFor = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("timed out");
};

describe("station store", () => {
  it("saves a snapshot after enough events, and a new start restores it and applies only the later events", async () => {
    const store = new StationStore(10);
    await store.load();
    for (let n = 0; n < 4; n++) await recordTube(store, n);
    await waitFor(async () => (await db.snapshots.get("station")) !== undefined);
    const saved = await loadSnapshot();
    expect(saved?.lastSeq).toBeGreaterThanOrEqual(10);

    // Events the snapshot does not hold yet: recorded by this device after the save.
    await recordTube(null, 9);
    const restarted = new StationStore(10_000);
    const state = await restarted.load();
    expect(snapshotOf(state)).toEqual(snapshotOf(project(await allEvents())));
    expect(state.tubes.get("YT00000009")?.registrationIds).toHaveLength(3);
  });

  it("re-projects the log when an event arrives out of sequence (another tab wrote in between)", async () => {
    const store = new StationStore();
    await store.load();
    await recordTube(store, 1);
    await recordTube(null, 2); // as if another tab of the app recorded it
    const third = await recordEvent(author, "tube.opened", { tubeCode: "YT00000003", capacity: 5 });
    await store.apply(third);
    const state = store.getSnapshot().state;
    expect([...state.tubes.keys()]).toEqual(["YT00000001", "YT00000002", "YT00000003"]);
  });

  it("ignores an unreadable snapshot and re-projects the events", async () => {
    await recordTube(null, 1);
    await db.snapshots.put({ key: "station", lastSeq: 3, savedAt: "", json: new Blob(["{not json"]) });
    const state = await new StationStore().load();
    expect(state.tubes.get("YT00000001")?.registrationIds).toHaveLength(3);
  });

  it("adds the other devices' pulled events to the state, keeps them in the snapshot, and never takes a local event's place", async () => {
    // Saves after 6 events: the 5 of the local tube do not reach it, the 2 pulled ones do.
    const store = new StationStore(6);
    await store.load();
    await recordTube(store, 1);
    const other = eventStream("other-phone", "DEMO", "staff-2");
    const theirs = [
      other.next("tube.opened", { tubeCode: "OT00000001", capacity: 5 }),
      other.next("registration.added", {
        registrationId: crypto.randomUUID(),
        tubeCode: "OT00000001",
        resident: { name: "王五", docType: "PP", docNumber: "E77777777" },
      }),
    ];
    const [ownFirst] = await allEvents();
    // A page that (wrongly) carries this device's own first event as well: it is skipped, the local one stays.
    const tampered = { ...(ownFirst as SampleEvent), payload: { tubeCode: "HIJACKED1", capacity: 1 } } as SampleEvent;
    expect(await storePulledPage([...theirs, tampered], { siteCode: "DEMO", after: 7, afterId: null })).toBe(2);
    expect(await eventOf((await db.events.get(ownFirst?.id as string)) ?? {})).toEqual(ownFirst);
    await store.catchUpRemote();
    const state = store.getSnapshot().state;
    expect(state.tubes.get("OT00000001")?.registrationIds).toHaveLength(1);
    expect(state.tubes.has("HIJACKED1")).toBe(false);
    // Their resident counts as registered today here too (the duplicate check sees them).
    expect(registrationsOfDocument(state, { docType: "PP", docNumber: "E77777777" })).toHaveLength(1);

    // The snapshot records how far the remote events go; a restart applies only later ones.
    await waitFor(async () => ((await db.snapshots.get("station"))?.remoteOrder ?? 0) > 0);
    await storePulledPage([other.next("tube.opened", { tubeCode: "OT00000002", capacity: 5 })], {
      siteCode: "DEMO",
      after: 9,
      afterId: null,
    });
    const restarted = await new StationStore(10_000).load();
    const everything = [...(await allEvents()), ...(await Promise.all((await db.remoteEvents.toArray()).map(eventOf)))];
    expect(snapshotOf(restarted)).toEqual(snapshotOf(project(everything)));
    expect(restarted.tubes.has("OT00000002")).toBe(true);
  });

  it("applies what another tab wrote or a pull stored once, however many catch-ups run at the same time", async () => {
    const store = new StationStore(10_000);
    await store.load();
    // Another tab (no store here) records a tube with three people; a pull stores another phone's tube.
    await recordTube(null, 7);
    const other = eventStream("other-phone", "DEMO", "staff-2");
    await storePulledPage([other.next("tube.opened", { tubeCode: "OT00000007", capacity: 5 })], {
      siteCode: "DEMO",
      after: 1,
      afterId: null,
    });
    await Promise.all([store.catchUpLocal(), store.catchUpLocal(), store.catchUpRemote(), store.catchUpRemote()]);
    const state = store.getSnapshot().state;
    expect(state.tubes.get("YT00000007")?.registrationIds).toHaveLength(3);
    expect(snapshotOf(state)).toEqual(
      snapshotOf(
        project([...(await allEvents()), ...(await Promise.all((await db.remoteEvents.toArray()).map(eventOf)))]),
      ),
    );
  });
});
