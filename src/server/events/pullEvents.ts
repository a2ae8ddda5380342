/**
 * Pull: the events of a site's other devices after a per-site cursor, so that phones at one site see each other's
 * tubes, duplicates and counters. The stored canonical JSON goes out as it is (no parse and re-serialise).
 */
import type { Authenticated } from "../auth/tokens";
import type { Store } from "../db";

export interface PulledPage {
  /** A JSON object, ready to send: a PullResponse. */
  json: string;
  count: number;
}

export async function pullEvents(
  { db }: Pick<Store, "db">,
  auth: Authenticated,
  requestedAfter: number,
  afterId: string | undefined,
  limit: number,
): Promise<PulledPage> {
  // One snapshot for both reads (a push committing in between would make the mark newer than the page).
  return db.transaction().execute(async (trx) => {
    let after = requestedAfter;
    let restarted = false;
    if (after > 0 && afterId) {
      const atCursor = await trx
        .selectFrom("events")
        .select("id")
        .where("site_code", "=", auth.siteCode)
        .where("site_seq", "=", after)
        .executeTakeFirst();
      if (atCursor?.id !== afterId) {
        after = 0;
        restarted = true;
      }
    }
    const rows = await trx
      .selectFrom("events")
      .select(["site_seq", "id", "device_id", "body"])
      .where("site_code", "=", auth.siteCode)
      .where("site_seq", ">", after)
      .orderBy("site_seq")
      .limit(limit + 1)
      .execute();
    const device = await trx
      .selectFrom("devices")
      .select("last_seq")
      .where("id", "=", auth.deviceId)
      .executeTakeFirst();
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    // The cursor passes the device's own events too; they are just not sent back to it.
    const last = page[page.length - 1];
    const cursor = last ? Number(last.site_seq) : after;
    const cursorId = last ? last.id : after === requestedAfter && afterId ? afterId : null;
    const bodies = page.filter((row) => row.device_id !== auth.deviceId).map((row) => row.body);
    return {
      json: `{"events":[${bodies.join(",")}],"cursor":${cursor},"cursorId":${JSON.stringify(cursorId)},"restarted":${restarted},"more":${more},"mark":${Number(device?.last_seq ?? 0)}}`,
      count: bodies.length,
    };
  });
}
