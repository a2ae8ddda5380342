/**
 * The device's data key. Resident data in IndexedDB (names, document numbers, phones, communities; this device's events
 * and pulled ones, and the saved station state) is encrypted with it (recordCipher.ts). It is a random AES-GCM key that
 * is stored only wrapped: by a key derived from the PIN (pin.ts) and by one derived from the signed-in staff's password
 * (for when the PIN is lost after five wrong tries). It is in memory only while the app is unlocked: locking drops it.
 */

/** A data key wrapped (AES-GCM) under a key derived from a secret by PBKDF2-SHA256. */
export interface WrappedKey {
  salt: Uint8Array<ArrayBuffer>;
  iterations: number;
  iv: Uint8Array<ArrayBuffer>;
  wrapped: ArrayBuffer;
}

/** The password-wrapped copy, with whose password it is. */
export type PasswordWrappedKey = WrappedKey & { username: string };

/** PBKDF2 rounds for the password: it is typed once per sign-in, so it can afford more than the PIN. */
export const PASSWORD_ITERATIONS = 310_000;

export class DeviceLockedError extends Error {
  constructor() {
    super("the app is locked: resident data cannot be read or written until it is unlocked");
    this.name = "DeviceLockedError";
  }
}

let current: CryptoKey | null = null;
const listeners = new Set<(key: CryptoKey | null) => void>();

/** The key while unlocked, else null. */
export const currentDataKey = (): CryptoKey | null => current;

export function requireDataKey(): CryptoKey {
  if (!current) throw new DeviceLockedError();
  return current;
}

/** Unlocked (or, in the sync worker, handed the key by the page). */
export function holdDataKey(key: CryptoKey): void {
  current = key;
  for (const listener of listeners) listener(key);
}

/** Locked: the key leaves memory (the wrapped copies stay in the database). */
export function dropDataKey(): void {
  if (!current) return;
  current = null;
  for (const listener of listeners) listener(null);
}

export function onDataKeyChange(listener: (key: CryptoKey | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A fresh data key. Extractable only so that it can be wrapped; it is never exported in the clear. */
export function newDataKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
}

async function keyFromSecret(secret: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "PBKDF2", false, [
    "deriveKey",
  ]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["wrapKey", "unwrapKey"],
  );
}

export async function wrapDataKey(key: CryptoKey, secret: string, iterations: number): Promise<WrappedKey> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const wrapping = await keyFromSecret(secret, salt, iterations);
  const wrapped = await crypto.subtle.wrapKey("raw", key, wrapping, { name: "AES-GCM", iv });
  return { salt, iterations, iv, wrapped };
}

/** The data key, or null when the secret is wrong (AES-GCM's tag does not match). */
export async function unwrapDataKey(wrapped: WrappedKey, secret: string): Promise<CryptoKey | null> {
  const wrapping = await keyFromSecret(secret, wrapped.salt, wrapped.iterations);
  try {
    return await crypto.subtle.unwrapKey(
      "raw",
      wrapped.wrapped,
      wrapping,
      { name: "AES-GCM", iv: wrapped.iv },
      { name: "AES-GCM", length: 256 },
      true,
      ["encrypt", "decrypt"],
    );
  } catch {
    return null;
  }
}
