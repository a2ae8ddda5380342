/** Typed access to the meta table. */

import type { RetainedCounts } from "../../domain/retention";
import type { PasswordWrappedKey } from "./dataKey";
import { db, type StoredSession } from "./db";
import type { StoredPin } from "./pin";
import type { Sealed } from "./recordCipher";
import type { PullCursor } from "./remoteEvents";

export interface MetaValues {
  deviceId: string;
  /** The sequence number the next event of this device gets. */
  nextSeq: number;
  session: StoredSession;
  lastSyncAt: string;
  pin: StoredPin;
  pullCursor: PullCursor;
  /** The browser's answer to the persistent-storage request at sign-in. */
  storagePersisted: boolean;
  /** Names of the staff who signed in on this device, by staff id: the history names who voided or transferred. */
  staffNames: Record<string, string>;
  /** The data key wrapped under the password of the staff who signed in last (the PIN's copy is in `pin`). */
  dataKey: { password?: PasswordWrappedKey };
  /** Day counters made by records deleted for retention, added back whenever the state is built. */
  retainedCounts: RetainedCounts;
  /** The last retention clean-up: when, the cutoff it used and how many events it deleted. */
  lastPurge: { at: string; cutoff: string; removed: number };
  /** By site: pulled events that occurred before it are not stored (the tombstones of records purged before it are
   * gone). */
  pullFloors: Record<string, string>;
  /** The site's recall list (residents to re-sample alone), sealed: see recallList.ts. */
  recallList: { siteCode: string; sealed: Sealed };
  /** The site's roster (residents it expects), sealed, with the server's version of it: see roster.ts. */
  roster: { siteCode: string; version: string; sealed: Sealed };
}

export async function getMeta<K extends keyof MetaValues>(key: K): Promise<MetaValues[K] | undefined> {
  return (await db.meta.get(key))?.value as MetaValues[K] | undefined;
}

export async function setMeta<K extends keyof MetaValues>(key: K, value: MetaValues[K]): Promise<void> {
  await db.meta.put({ key, value });
}

/**
 * The device id as read from the database connection that is open now: every input needs it, and a read-write
 * transaction per scan is a round trip a slow phone feels. A new connection (the database deleted and made again)
 * reads it afresh.
 */
let knownDeviceId: { connection: IDBDatabase; id: string } | undefined;

/** This installation's id, made once and kept: the server binds tokens and sequence numbers to it. */
export async function getDeviceId(): Promise<string> {
  if (knownDeviceId && db.isOpen() && knownDeviceId.connection === db.backendDB()) return knownDeviceId.id;
  const id = await db.transaction("rw", db.meta, async () => {
    const existing = await getMeta("deviceId");
    if (existing) return existing;
    const id = crypto.randomUUID();
    await setMeta("deviceId", id);
    return id;
  });
  if (db.isOpen()) knownDeviceId = { connection: db.backendDB(), id };
  return id;
}
