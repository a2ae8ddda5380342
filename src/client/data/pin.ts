/**
 * The app-lock PIN: 4–6 digits, kept only as a salted PBKDF2-SHA256 hash (WebCrypto, many iterations). After five
 * wrong PINs the PIN is forgotten and the online password is needed again. Nothing else is touched: events stay.
 */

import { db } from "./db";
import { getMeta, setMeta } from "./meta";

export const MAX_PIN_FAILURES = 5;
const ITERATIONS = 150_000;

export interface StoredPin {
  salt: string;
  hash: string;
  iterations: number;
  failures: number;
}

export const isValidPin = (pin: string): boolean => /^\d{4,6}$/.test(pin);

const toBase64 = (bytes: ArrayBuffer | Uint8Array) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function derive(pin: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return toBase64(bits);
}

export async function hasPin(): Promise<boolean> {
  return (await getMeta("pin")) !== undefined;
}

export async function setPin(pin: string): Promise<void> {
  if (!isValidPin(pin)) throw new Error("PIN must be 4–6 digits");
  const salt = crypto.getRandomValues(new Uint8Array(16));
  await setMeta("pin", {
    salt: toBase64(salt),
    hash: await derive(pin, salt, ITERATIONS),
    iterations: ITERATIONS,
    failures: 0,
  });
}

export type PinCheck = { ok: true } | { ok: false; remaining: number };

/** Checks a PIN; the fifth failure in a row forgets the PIN (remaining 0: the password is needed). */
export async function checkPin(pin: string): Promise<PinCheck> {
  const stored = await getMeta("pin");
  if (!stored) return { ok: false, remaining: 0 };
  const hash = await derive(pin, fromBase64(stored.salt), stored.iterations);
  if (hash === stored.hash) {
    if (stored.failures > 0) await setMeta("pin", { ...stored, failures: 0 });
    return { ok: true };
  }
  const failures = stored.failures + 1;
  if (failures >= MAX_PIN_FAILURES) {
    await forgetPin();
    return { ok: false, remaining: 0 };
  }
  await setMeta("pin", { ...stored, failures });
  return { ok: false, remaining: MAX_PIN_FAILURES - failures };
}

export async function forgetPin(): Promise<void> {
  await db.meta.delete("pin");
}
