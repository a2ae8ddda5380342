/**
 * The browser's storage for this app: asking it to keep our data (never evict it under pressure), how much is used
 * and left, and recognising a full disk in an IndexedDB failure.
 */
import { getMeta, setMeta } from "./meta";

export interface StorageStatus {
  /** Whether the browser promised not to evict our data; null where it cannot tell. */
  persisted: boolean | null;
  /** Bytes used and available to this origin, where the browser tells. */
  usage: number | null;
  quota: number | null;
}

/**
 * Asks for persistent storage (at sign-in). Browsers decide by their own rules (an installed app, site engagement);
 * the answer is kept and shown, because an evictable store is a risk staff should know about.
 */
export async function requestPersistentStorage(): Promise<boolean | null> {
  const storage = navigator.storage;
  if (!storage?.persist) return null;
  const granted = (await storage.persisted?.()) || (await storage.persist());
  await setMeta("storagePersisted", granted);
  return granted;
}

export async function storageStatus(): Promise<StorageStatus> {
  const storage = navigator.storage;
  const persisted = storage?.persisted ? await storage.persisted() : ((await getMeta("storagePersisted")) ?? null);
  const estimate = storage?.estimate ? await storage.estimate() : {};
  return { persisted, usage: estimate.usage ?? null, quota: estimate.quota ?? null };
}

/**
 * A write refused for want of space. Browsers report it as a QuotaExceededError; Dexie wraps a failed transaction's
 * cause in an AbortError whose `inner` is that error.
 */
export function isQuotaError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    const { name, inner } = e as { name?: unknown; inner?: unknown };
    if (name === "QuotaExceededError") return true;
    e = inner;
  }
  return false;
}
