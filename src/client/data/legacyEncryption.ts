/**
 * Records stored in the clear before encryption at rest (marked `plain` by the version 4 upgrade) are sealed in place
 * after the first unlock, a chunk at a time so that scans are never held up for long. Nothing is lost: a record is
 * replaced by its sealed form only if it is still in the clear, and every other field (sync state, decisions) is kept.
 */

import type { Table } from "dexie";
import type { SampleEvent } from "../../domain/events";
import { db, type RemoteEvent, type StoredEvent } from "./db";
import { type Sealed, sealJson } from "./recordCipher";

const CHUNK = 200;

type PlainCapable = StoredEvent | RemoteEvent;

async function sealChunk(table: Table<PlainCapable, unknown>): Promise<number> {
  const records = await table.where("plain").equals(1).limit(CHUNK).toArray();
  if (records.length === 0) return 0;
  const sealed = new Map<string, Sealed>(
    await Promise.all(records.map(async (r) => [r.id, await sealJson(r.event as SampleEvent)] as const)),
  );
  await db.transaction("rw", table, async () => {
    await table
      .where("id")
      .anyOf([...sealed.keys()])
      .modify((record) => {
        const body = sealed.get(record.id);
        if (!body || record.plain !== 1) return;
        record.sealed = body;
        delete record.event;
        delete record.plain;
      });
  });
  return records.length;
}

/** Seals every plaintext event record (own and pulled). Returns how many were sealed. Needs the data key. */
export async function encryptLegacyRecords(): Promise<number> {
  let total = 0;
  for (const table of [db.events, db.remoteEvents] as unknown as Table<PlainCapable, unknown>[]) {
    for (let n = await sealChunk(table); n > 0; n = await sealChunk(table)) total += n;
  }
  return total;
}
