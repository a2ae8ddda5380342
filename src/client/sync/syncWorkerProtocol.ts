/** Messages between the page and the sync worker (syncWorker.ts ↔ syncLoop.ts). */
import type { SyncStatus } from "./outbox";

export type ToSyncWorker =
  | { type: "start" }
  | { type: "stop" }
  | { type: "nudge" }
  /** `id` is answered with `done` when the pass (or the recount) has finished. */
  | { type: "syncNow"; id: number }
  | { type: "refreshCounts"; id: number }
  /** The page was unlocked (the data key, which the worker needs to read and store events) or locked (null). */
  | { type: "dataKey"; key: CryptoKey | null };

export type FromSyncWorker =
  | { type: "status"; status: SyncStatus }
  /** A pull stored other devices' events. */
  | { type: "remote" }
  /** Events of this device were rejected, or went back in the queue. */
  | { type: "quarantine" }
  | { type: "done"; id: number; error?: string };
