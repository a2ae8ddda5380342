/**
 * Encryption at rest of records that hold resident data: AES-GCM (WebCrypto) under the data key (dataKey.ts), a fresh
 * 96-bit IV per record. Records are sealed before a Dexie transaction starts and opened after it ends: WebCrypto
 * awaits inside a transaction would let IndexedDB commit it early.
 */
import { requireDataKey } from "./dataKey";

export interface Sealed {
  iv: Uint8Array<ArrayBuffer>;
  data: ArrayBuffer;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export async function sealBytes(bytes: BufferSource, key = requireDataKey()): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  return { iv, data: await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, bytes) };
}

/** Throws when the record was not sealed under this key or was altered. */
export function openBytes(sealed: Sealed, key = requireDataKey()): Promise<ArrayBuffer> {
  return crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv }, key, sealed.data);
}

export const sealJson = (value: unknown, key?: CryptoKey): Promise<Sealed> =>
  sealBytes(encoder.encode(JSON.stringify(value)), key);

export async function openJson<T>(sealed: Sealed, key?: CryptoKey): Promise<T> {
  return JSON.parse(decoder.decode(await openBytes(sealed, key))) as T;
}
