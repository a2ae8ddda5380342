/**
 * The app-lock PIN: 4–6 digits. It is not stored: it wraps the data key (dataKey.ts) under a PBKDF2-SHA256 key
 * (WebCrypto, many iterations), so the right PIN is the one that unwraps it, and unlocking puts the key in memory.
 * After five wrong PINs the PIN is retired and the password is needed again. Nothing else is touched: events stay.
 */

import { holdDataKey, newDataKey, requireDataKey, unwrapDataKey, type WrappedKey, wrapDataKey } from "./dataKey";
import { db } from "./db";
import { wrapUnderSignInPassword } from "./deviceKeys";
import { getMeta, setMeta } from "./meta";

export const MAX_PIN_FAILURES = 5;
const ITERATIONS = 150_000;

export interface StoredPin {
  failures: number;
  /** The data key wrapped under the PIN. */
  key?: WrappedKey;
  /** Before encryption at rest, a salted PBKDF2 hash of the PIN was kept instead (base64 salt and hash). */
  salt?: string;
  hash?: string;
  iterations?: number;
  /**
   * Five wrong PINs, or signed out: the PIN no longer unlocks until a password sign-in. Its wrapped key is kept for
   * that sign-in: if the password cannot open the records (it was changed on the server since this phone last saw
   * it), the PIN is the way back to them, and the new password is then added (deviceKeys.ts).
   */
  retired?: true;
  /** The round of tries a password sign-in gave a retired PIN (the password could not open the records): its last
   * failure deletes the PIN's copy of the key instead of retiring it again. */
  recovery?: true;
}

export const isValidPin = (pin: string): boolean => /^\d{4,6}$/.test(pin);

const toBase64 = (bytes: ArrayBuffer | Uint8Array) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function legacyHash(pin: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return toBase64(bits);
}

/** A PIN that unlocks now (not retired). */
export const pinUsable = (pin: StoredPin | undefined): boolean => pin !== undefined && !pin.retired;

export async function hasPin(): Promise<boolean> {
  return pinUsable(await getMeta("pin"));
}

/** Sets the PIN: wraps the data key that is in memory now (signing in with the password put it there). */
export async function setPin(pin: string): Promise<void> {
  if (!isValidPin(pin)) throw new Error("PIN must be 4–6 digits");
  await setMeta("pin", { failures: 0, key: await wrapDataKey(requireDataKey(), pin, ITERATIONS) });
}

export type PinCheck = { ok: true } | { ok: false; remaining: number };

/**
 * Checks a PIN; the right one unlocks (the data key is then in memory). The fifth failure in a row forgets the PIN
 * (remaining 0: the password is needed).
 */
export async function checkPin(pin: string): Promise<PinCheck> {
  const stored = await getMeta("pin");
  if (!stored || stored.retired) return { ok: false, remaining: 0 };
  let key: CryptoKey | null = null;
  if (stored.key) {
    key = await unwrapDataKey(stored.key, pin);
  } else if (stored.salt && stored.hash && stored.iterations) {
    // A PIN set before encryption at rest: this is the device's first unlock since the upgrade. The data key is made
    // now and wrapped under the PIN; encryptLegacyRecords then seals what is still in the clear.
    if ((await legacyHash(pin, fromBase64(stored.salt), stored.iterations)) === stored.hash) {
      key = await newDataKey();
      await setMeta("pin", { failures: 0, key: await wrapDataKey(key, pin, ITERATIONS) });
    }
  }
  if (key) {
    if (stored.failures > 0 || stored.recovery) {
      const { recovery: _, ...current } = (await getMeta("pin")) ?? stored;
      await setMeta("pin", { ...current, failures: 0 });
    }
    holdDataKey(key);
    await wrapUnderSignInPassword(key);
    return { ok: true };
  }
  const failures = stored.failures + 1;
  if (failures >= MAX_PIN_FAILURES) {
    if (stored.recovery) await db.meta.delete("pin");
    else await retirePin();
    return { ok: false, remaining: 0 };
  }
  await setMeta("pin", { ...stored, failures });
  return { ok: false, remaining: MAX_PIN_FAILURES - failures };
}

/**
 * Retires the PIN (five wrong PINs, or the token ended): it no longer unlocks; the password must sign in again. Its
 * wrapped key stays until that sign-in shows whether the password can open the records (openDataKeyAtSignIn), so a
 * password changed meanwhile does not leave them sealed.
 */
export async function retirePin(): Promise<void> {
  const stored = await getMeta("pin");
  if (stored?.key) await setMeta("pin", { failures: 0, key: stored.key, retired: true });
  else await db.meta.delete("pin");
}

/**
 * Forgets the PIN at sign-out (nothing waits for upload then). Its wrapped key goes too when the password can unwrap
 * the data key: a signed-out phone holds no copy a short PIN opens. A device upgraded from before encryption, whose
 * staff have not signed in with the password since, has no password copy: the PIN is retired instead, the only way
 * back to its records after a password sign-in.
 */
export async function forgetPin(): Promise<void> {
  const [stored, keys] = await Promise.all([getMeta("pin"), getMeta("dataKey")]);
  if (stored?.key && !keys?.password) return retirePin();
  await db.meta.delete("pin");
}
