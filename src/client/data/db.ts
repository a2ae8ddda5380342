/**
 * The one IndexedDB database of the app (Dexie). Versions are declared as data; every write of an event uses strict
 * durability so that a registration the screen confirmed survives a power cut (Chrome relaxes durability by default).
 */
import Dexie, { type EntityTable, type Transaction } from "dexie";
import type { SampleEvent } from "../../domain/events";
import type { EventRejection, LoginResponse } from "../../domain/protocol";
import type { Sealed } from "./recordCipher";

export type SyncState = "pending" | "synced" | "rejected";

export interface StoredEvent {
  id: string;
  seq: number;
  /** The event, encrypted (recordCipher.ts): it holds resident data. Read it with eventOf (eventLog.ts). */
  sealed?: Sealed;
  /** The event in the clear: only records stored before encryption, until encryptLegacyRecords has sealed them. */
  event?: SampleEvent;
  /** Set on plaintext records by the version 4 upgrade: an index of what is left to encrypt. */
  plain?: 1;
  syncState: SyncState;
  syncedAt?: string;
  rejection?: { code: EventRejection; message: string; at: string };
  /** Staff's decision on a quarantined (rejected) event; a decided event no longer counts in the station's state. */
  resolution?: QuarantineResolution;
}

export interface QuarantineResolution {
  decision: "discarded" | "resubmitted";
  reason: string;
  at: string;
  /** The corrected event recorded in its place. */
  replacementId?: string;
}

/** Small key-value records: device identity, the next sequence number, the signed-in session, last sync. */
export interface MetaRecord {
  key: string;
  value: unknown;
}

/** An event of another device at the site, pulled from the server; `order` is the order it arrived in here. */
export interface RemoteEvent {
  order?: number;
  id: string;
  /** Encrypted, as this device's events are. */
  sealed?: Sealed;
  /** In the clear: records pulled before encryption, until sealed. */
  event?: SampleEvent;
  plain?: 1;
  /** When the event occurred, in UTC (not resident data: the retention walk's index). "" for sealed records pulled
   * before version 5, which the walk then reads to decide. */
  occurredAt?: string;
}

/** A purged record's code ("tube:…" or "box:…", see domain/retention.ts), when it was purged and the cutoff used. */
export interface Tombstone {
  key: string;
  at: string;
  cutoff: string;
}

/** A projected state (JSON in a Blob: far quicker to store and read back than many small records) and its last seq. */
export interface StoredSnapshot {
  key: "station";
  lastSeq: number;
  /** The last remote event (by `order`) in the state; absent in snapshots saved before pulls existed. */
  remoteOrder?: number;
  /** This device's events up to `lastSeq` the state leaves out (rejected or decided); absent in older snapshots. */
  leftOut?: number[];
  savedAt: string;
  /** The state as ASCII JSON, encrypted: `iv` and the ciphertext as a Blob. */
  sealed?: { iv: Uint8Array<ArrayBuffer>; data: Blob };
  /** The state in the clear: snapshots saved before encryption (read once, then saved again sealed). */
  json?: Blob;
}

export type StoredSession = Omit<LoginResponse, "token"> & { token: string | null };

export const DATABASE_NAME = "samplepoint";

/** Schema versions, oldest first. Never edit a shipped version: add a new one (with an upgrade if data must move). */
export const SCHEMA_VERSIONS: {
  version: number;
  stores: Record<string, string>;
  upgrade?: (tx: Transaction) => Promise<void>;
}[] = [
  { version: 1, stores: { events: "&id, &seq, syncState, [syncState+seq]", meta: "&key" } },
  // The projected station state, saved now and then so a start re-projects only the events after it.
  { version: 2, stores: { snapshots: "&key" } },
  // Other devices' events at the site, pulled from the server; kept apart so they never touch this device's queue.
  { version: 3, stores: { remoteEvents: "++order, &id" } },
  // Resident data encrypted at rest: records stored in the clear before are marked `plain`, and encrypted in place
  // after the next unlock (the key is not known while the database opens).
  {
    version: 4,
    stores: { events: "&id, &seq, syncState, [syncState+seq], plain", remoteEvents: "++order, &id, plain" },
    upgrade: async (tx) => {
      await tx
        .table("events")
        .toCollection()
        .modify((record: StoredEvent) => {
          if (record.event) record.plain = 1;
        });
      await tx
        .table("remoteEvents")
        .toCollection()
        .modify((record: RemoteEvent) => {
          if (record.event) record.plain = 1;
        });
    },
  },
  // Retention: pulled events indexed by when they occurred (the walk finds every old one, however late it arrived), and
  // tombstones of purged tubes and boxes (a pull from the start does not bring them back).
  {
    version: 5,
    stores: { remoteEvents: "++order, &id, plain, occurredAt", tombstones: "&key, at" },
    upgrade: async (tx) => {
      await tx
        .table("remoteEvents")
        .toCollection()
        .modify((record: RemoteEvent) => {
          record.occurredAt = record.event ? new Date(record.event.occurredAt).toISOString() : "";
        });
    },
  },
];

export type SamplePointDb = Dexie & {
  events: EntityTable<StoredEvent, "id">;
  meta: EntityTable<MetaRecord, "key">;
  snapshots: EntityTable<StoredSnapshot, "key">;
  remoteEvents: EntityTable<RemoteEvent, "order">;
  tombstones: EntityTable<Tombstone, "key">;
};

export function openDatabase(name = DATABASE_NAME): SamplePointDb {
  const db = new Dexie(name, { chromeTransactionDurability: "strict" }) as SamplePointDb;
  for (const { version, stores, upgrade } of SCHEMA_VERSIONS) {
    const declared = db.version(version).stores(stores);
    if (upgrade) declared.upgrade(upgrade);
  }
  return db;
}

export const db = openDatabase();
