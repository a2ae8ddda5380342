/**
 * Events of the site's other devices, pulled from the server, with the pull cursor. They live in their own table so
 * that a pull can never overwrite or re-queue this device's events: an event already here (or this device's own) is
 * skipped by id, and each page is stored together with the cursor that follows it.
 */
import type { SampleEvent } from "../../domain/events";
import { boxTombstone, concernsPurged, recordCodesOf, tubeTombstone } from "../../domain/retention";
import { db } from "./db";
import { eventOf } from "./eventLog";
import { getMeta, setMeta } from "./meta";
import { sealJson } from "./recordCipher";

export interface PullCursor {
  siteCode: string;
  after: number;
  afterId: string | null;
}

export async function pullCursor(siteCode: string): Promise<PullCursor> {
  const saved = (await getMeta("pullCursor")) as PullCursor | undefined;
  // Signed in at another site: start that site's events from the beginning.
  return saved?.siteCode === siteCode ? saved : { siteCode, after: 0, afterId: null };
}

/**
 * Stores one pulled page and the cursor after it, in one transaction, each event sealed (sealed first: no WebCrypto
 * awaits inside a transaction). Returns how many events were new here. Events about records this device purged for
 * retention (tombstones), or older than the tombstones still kept (the pull floor), are not stored again.
 */
export async function storePulledPage(events: SampleEvent[], cursor: PullCursor): Promise<number> {
  const sealed = new Map(await Promise.all(events.map(async (event) => [event.id, await sealJson(event)] as const)));
  const codes = new Set(
    events.flatMap((event) => {
      const { tubes, boxes } = recordCodesOf(event);
      return [...tubes.map(tubeTombstone), ...boxes.map(boxTombstone)];
    }),
  );
  return db.transaction("rw", [db.remoteEvents, db.events, db.meta, db.tombstones], async () => {
    const ids = events.map((e) => e.id);
    const [remote, own, purged, floors] = await Promise.all([
      db.remoteEvents.where("id").anyOf(ids).keys(),
      db.events.where("id").anyOf(ids).primaryKeys(),
      db.tombstones
        .where("key")
        .anyOf([...codes])
        .primaryKeys(),
      getMeta("pullFloors"),
    ]);
    const known = new Set<unknown>([...remote, ...own]);
    const floor = floors?.[cursor.siteCode];
    const floorMs = floor === undefined ? null : Date.parse(floor);
    const tombstones = new Set(purged);
    const fresh = events.filter(
      (event) =>
        !known.has(event.id) &&
        !(floorMs !== null && Date.parse(event.occurredAt) < floorMs) &&
        !concernsPurged(event, (key) => tombstones.has(key)),
    );
    if (fresh.length > 0) {
      await db.remoteEvents.bulkAdd(
        fresh.map((event) => ({
          id: event.id,
          sealed: sealed.get(event.id),
          occurredAt: new Date(event.occurredAt).toISOString(),
        })),
      );
    }
    await setMeta("pullCursor", cursor);
    return fresh.length;
  });
}

/** Remote events that arrived after `order`, in arrival order, with the order of the last. */
export async function remoteEventsAfter(order: number): Promise<{ events: SampleEvent[]; lastOrder: number }> {
  const rows = await db.remoteEvents.where("order").above(order).toArray();
  return { events: await Promise.all(rows.map(eventOf)), lastOrder: rows.at(-1)?.order ?? order };
}
