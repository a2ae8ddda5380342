/**
 * The saved station snapshot: the projected state up to a sequence number, so that a start with a day's history
 * (100,000 registrations) reads one Blob instead of every event. A snapshot is only a shortcut: when it is missing,
 * of an older format or unreadable, the station re-projects the events, which stay the only record.
 */
import type { StationState } from "../../domain/projection";
import type { RetainedCounts } from "../../domain/retention";
import { restoreState, type StateSnapshot, snapshotOf } from "../../domain/stateSnapshot";
import { db, type StoredSnapshot } from "./db";
import { setMeta } from "./meta";
import { openBytes, sealBytes } from "./recordCipher";

export interface LoadedSnapshot {
  state: StationState;
  lastSeq: number;
  remoteOrder: number;
  /**
   * This device's events up to `lastSeq` that the state leaves out (rejected by the server, or decided); absent in
   * snapshots saved before rejected events were left out (those hold every undecided rejected event).
   */
  leftOut?: number[];
}

export async function loadSnapshot(): Promise<LoadedSnapshot | null> {
  try {
    const start = performance.now();
    const stored = await db.snapshots.get("station");
    if (!stored) return null;
    const text = await snapshotText(stored);
    const read = performance.now();
    const parsed = JSON.parse(text) as StateSnapshot;
    const parsedAt = performance.now();
    const state = restoreState(parsed);
    // Visible in the browser's performance timeline (and read by bench:station).
    performance.measure("snapshot:read", { start, end: read });
    performance.measure("snapshot:parse", { start: read, end: parsedAt });
    performance.measure("snapshot:restore", { start: parsedAt, end: performance.now() });
    if (!state) return null;
    return {
      state,
      lastSeq: stored.lastSeq,
      remoteOrder: stored.remoteOrder ?? 0,
      ...(stored.leftOut ? { leftOut: stored.leftOut } : {}),
    };
  } catch (error) {
    console.warn("station snapshot unreadable; re-projecting the events", error);
    return null;
  }
}

/** The state's JSON: decrypted (one AES-GCM pass over the Blob), or as saved before encryption. */
async function snapshotText(stored: StoredSnapshot): Promise<string> {
  if (stored.sealed) {
    const data = await stored.sealed.data.arrayBuffer();
    return new TextDecoder().decode(await openBytes({ iv: stored.sealed.iv, data }));
  }
  if (stored.json) return stored.json.text();
  throw new Error("a snapshot without a body");
}

/** Whether the saved snapshot is still in the clear (saved before encryption): it is then saved again, sealed. */
export async function snapshotInClear(): Promise<boolean> {
  const stored = await db.snapshots.get("station");
  return stored !== undefined && stored.sealed === undefined;
}

/**
 * Saves the state as it is now, sealed: it must hold exactly this device's events up to `lastSeq` except `leftOut`, and the
 * remote ones up to `remoteOrder`.
 */
export async function saveSnapshot(
  state: StationState,
  lastSeq: number,
  remoteOrder = 0,
  leftOut: number[] = [],
  /** With a retention clean-up: the day counts kept from deleted records, stored in the same transaction. */
  retained?: RetainedCounts,
): Promise<void> {
  // Serialised now (the caller's state is exactly as described), sealed, then stored.
  const bytes = new TextEncoder().encode(asciiJson(snapshotOf(state)));
  const { iv, data } = await sealBytes(bytes);
  const record = {
    key: "station" as const,
    lastSeq,
    remoteOrder,
    leftOut,
    savedAt: new Date().toISOString(),
    sealed: { iv, data: new Blob([data]) },
  };
  if (!retained) {
    await db.snapshots.put(record);
    return;
  }
  await db.transaction("rw", db.snapshots, db.meta, async () => {
    await db.snapshots.put(record);
    await setMeta("retainedCounts", retained);
  });
}

/** The sequence number the saved snapshot holds events up to, without reading its state (null when none). */
export async function savedSnapshotSeq(): Promise<number | null> {
  return (await db.snapshots.get("station"))?.lastSeq ?? null;
}

export async function dropSnapshot(): Promise<void> {
  await db.snapshots.delete("station");
}

/**
 * JSON with every non-ASCII character escaped: the browser decodes pure ASCII several times faster than UTF-8 with
 * Chinese names in it, and reading the snapshot back is what a start waits for.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
