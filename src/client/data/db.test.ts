// Schema upgrades keep data: a database written by an earlier version of the app opens under the current schema with
// every event, record and the queue's state intact (fake-indexeddb runs IndexedDB's real upgrade path in Node).
import "fake-indexeddb/auto";
import Dexie from "dexie";
import { describe, expect, it } from "vitest";
import { eventStream } from "../../domain/testEvents";
import { openDatabase, SCHEMA_VERSIONS } from "./db";

describe.each(SCHEMA_VERSIONS.slice(0, -1).map((v) => v.version))("a database of schema version %i", (version) => {
  it("upgrades to the current schema and keeps its events, queue states and meta records", async () => {
    const name = `samplepoint-upgrade-from-${version}`;
    const old = new Dexie(name);
    for (const v of SCHEMA_VERSIONS.filter((s) => s.version <= version)) old.version(v.version).stores(v.stores);
    await old.open();
    const stream = eventStream("device-upgrade", "DEMO", "staff-1");
    const events = [
      stream.next("tube.opened", { tubeCode: "UPG00001", capacity: 10 }),
      stream.next("tube.sealed", { tubeCode: "UPG00001", count: 0, short: true }),
    ];
    // From version 4 on, a record in the clear carries the `plain` mark its upgrade gave it.
    const plain = version >= 4 ? { plain: 1 } : {};
    await old.table("events").bulkAdd([
      {
        id: events[0]?.id,
        seq: 1,
        event: events[0],
        syncState: "synced",
        syncedAt: "2026-11-29T08:00:00.000Z",
        ...plain,
      },
      { id: events[1]?.id, seq: 2, event: events[1], syncState: "pending", ...plain },
    ]);
    const pulled = eventStream("device-other", "DEMO", "staff-2").next(
      "tube.opened",
      { tubeCode: "UPG00002", capacity: 10 },
      { occurredAt: "2026-11-29T16:00:00.000+08:00" },
    );
    if (version >= 3) await old.table("remoteEvents").add({ id: pulled.id, event: pulled, ...plain });
    await old.table("meta").bulkAdd([
      { key: "deviceId", value: "device-upgrade" },
      { key: "nextSeq", value: 3 },
    ]);
    old.close();

    const current = openDatabase(name);
    await current.open();
    expect(current.verno).toBe(SCHEMA_VERSIONS.at(-1)?.version);
    const stored = await current.events.orderBy("seq").toArray();
    expect(stored.map((s) => [s.seq, s.syncState, s.event?.id, s.plain])).toEqual([
      // Still in the clear, and marked so that the first unlock seals them (encryptionAtRest.test.ts).
      [1, "synced", events[0]?.id, 1],
      [2, "pending", events[1]?.id, 1],
    ]);
    // The indexes the app queries by work on the upgraded data.
    expect(await current.events.where("[syncState+seq]").between(["pending", 0], ["pending", Infinity]).count()).toBe(
      1,
    );
    expect((await current.meta.get("nextSeq"))?.value).toBe(3);
    if (version >= 3) {
      // Pulled events are indexed by when they occurred, in UTC (the retention walk).
      expect(await current.remoteEvents.where("occurredAt").below("2026-11-29T08:00:00.001Z").count()).toBe(1);
    }
    // Tables added since are there and usable.
    await current.remoteEvents.add({ id: "remote-1", event: events[0] as never });
    await current.snapshots.put({
      key: "station",
      lastSeq: 2,
      savedAt: "2026-11-29T08:00:00.000Z",
      json: new Blob(["{}"]),
    });
    expect(await current.remoteEvents.count()).toBe(version >= 3 ? 2 : 1);
    current.close();
  });
});
