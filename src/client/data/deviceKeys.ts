/**
 * The data key at a password sign-in (signIn.ts): opened with the password, or made for a device that has none; and
 * what happens when the password cannot open it (another staff member's phone, or a changed password).
 */
import { dropDataKey, holdDataKey, newDataKey, PASSWORD_ITERATIONS, unwrapDataKey, wrapDataKey } from "./dataKey";
import { db } from "./db";
import { countPending, countRejected } from "./eventLog";
import { getMeta, setMeta } from "./meta";
import { withRetentionLock } from "./retentionLock";

/**
 * A sign-in in one tab may replace the data key (or erase the records): the app's other tabs must not keep working —
 * or set a PIN — under the key they hold, so they drop it and lock (main.tsx listens).
 */
const keyChannel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel("samplepoint-data-key");

/** Tells the other tabs to drop their key and lock: this one signed in or out. */
export function announceKeyChange(): void {
  keyChannel?.postMessage("signed-in-or-out");
}

/** Another tab signed in or out: whatever key this tab holds may no longer be the device's, or wanted. */
export function onKeyChangedInOtherTab(listener: () => void): () => void {
  const handler = () => listener();
  keyChannel?.addEventListener("message", handler);
  return () => keyChannel?.removeEventListener("message", handler);
}

/** The records on this device are sealed under a key this password cannot open, and some are not uploaded yet. */
export class RecordsOfAnotherUserError extends Error {
  /** `ownPreviousPassword`: they are this staff member's own, sealed under their previous password (and a PIN no
   * longer known): signing in once with that password (an admin can set it back) opens them. */
  constructor(
    readonly unsent: number,
    readonly ownPreviousPassword = false,
  ) {
    super(`this device holds ${unsent} records not yet uploaded, sealed for another sign-in`);
    this.name = "RecordsOfAnotherUserError";
  }
}

/** A password typed at sign-in, kept until the PIN unlock that follows can wrap the data key under it too. */
let passwordToWrap: { username: string; password: string } | null = null;

async function holdAndWrap(key: CryptoKey, username: string, password: string): Promise<void> {
  await setMeta("dataKey", { password: { username, ...(await wrapDataKey(key, password, PASSWORD_ITERATIONS)) } });
  holdDataKey(key);
}

/** Whether any record is sealed: every record not marked plain is (counted through indexes, no record read). */
async function sealedRecordsExist(): Promise<boolean> {
  const [events, plainEvents, remote, plainRemote, snapshot] = await Promise.all([
    db.events.count(),
    db.events.where("plain").equals(1).count(),
    db.remoteEvents.count(),
    db.remoteEvents.where("plain").equals(1).count(),
    db.snapshots.get("station"),
  ]);
  return events > plainEvents || remote > plainRemote || snapshot?.sealed !== undefined;
}

/**
 * Opens the data key with the password just accepted by the server. Where the password cannot open it:
 * - the PIN still can (its copy is kept, even retired: see retirePin) — its unlock that follows opens it and adds
 *   this password: the way back when the password was changed on the server since this phone last saw it;
 * - nothing on the device waits for upload — the sealed records are all on the server, so they are erased and the
 *   device starts afresh under a new key (its events of the day come back only as the server's figures);
 * - else the sign-in is refused (RecordsOfAnotherUserError): only the staff who recorded them can open them.
 */
export async function openDataKeyAtSignIn(username: string, password: string): Promise<void> {
  // A sign-in never works under a key still held from before it (another user's, after a token expired).
  dropDataKey();
  passwordToWrap = null;
  const stored = (await getMeta("dataKey"))?.password;
  const pin = await getMeta("pin");
  if (stored?.username === username) {
    const key = await unwrapDataKey(stored, password);
    if (key) {
      // The password opens the records: a retired PIN is not needed any more (a new one is set next).
      if (pin?.retired) await db.meta.delete("pin");
      holdDataKey(key);
      announceKeyChange();
      return;
    }
  }
  // The PIN can open the records: its wrapped key, or (a device upgraded from before encryption) its old hash, which
  // makes the data key at that unlock. Only for the staff the records belong to (or when none is known yet).
  const pinOpens = pin?.key !== undefined || pin?.hash !== undefined;
  if (!(await sealedRecordsExist()) && !pinOpens) {
    // A new device, or one upgraded from before encryption, signed out (its plaintext records are sealed after the
    // unlock that follows the PIN set now).
    await holdAndWrap(await newDataKey(), username, password);
    announceKeyChange();
    return;
  }
  // Whose records they are: the password copy says; a device upgraded from before encryption has none yet, and the
  // last session's staff stands in.
  const owner = stored?.username ?? (await getMeta("session"))?.staff.username;
  if (pin && pinOpens && (owner === undefined || owner === username)) {
    // The password could not open the records (changed on the server since this phone last saw it): the PIN can.
    // A retired PIN gets one round of tries for this, whose last failure deletes the PIN's copy (pin.ts): no endless
    // rounds of guesses, each bought with a correct login.
    if (pin.retired) {
      const { retired: _, ...usable } = pin;
      await setMeta("pin", { ...usable, failures: 0, recovery: true });
    }
    passwordToWrap = { username, password };
    announceKeyChange();
    return;
  }
  // Erasing: the other tabs let go of the key first (a tab still holding it must not write into the erased database),
  // and no retention clean-up runs meanwhile.
  announceKeyChange();
  await withRetentionLock(() =>
    // Counted in the erasing transaction itself: nothing recorded in between can be erased unsent.
    db.transaction("rw", [db.events, db.remoteEvents, db.snapshots, db.tombstones, db.meta], async () => {
      const unsent = (await countPending()) + (await countRejected());
      if (unsent > 0) throw new RecordsOfAnotherUserError(unsent, owner === username);
      await Promise.all([
        db.events.clear(),
        db.remoteEvents.clear(),
        db.snapshots.clear(),
        db.tombstones.clear(),
        db.meta.bulkDelete(["pullCursor", "pullFloors", "retainedCounts", "lastPurge", "pin"]),
      ]);
    }),
  );
  await holdAndWrap(await newDataKey(), username, password);
  announceKeyChange();
  for (const listener of erasedListeners) listener();
}

/** Whether the sign-in just made waits for the PIN to open the records (the password could not). */
export const pinNeededAfterSignIn = (): boolean => passwordToWrap !== null;

const erasedListeners = new Set<() => void>();

/** The device's records were erased at a sign-in: whatever state was built from them must be dropped. */
export function onRecordsErased(listener: () => void): () => void {
  erasedListeners.add(listener);
  return () => erasedListeners.delete(listener);
}

/** After the PIN unlocked: wraps the data key under the password typed at the sign-in before it, if any. */
export async function wrapUnderSignInPassword(key: CryptoKey): Promise<void> {
  const pending = passwordToWrap;
  passwordToWrap = null;
  if (pending) await holdAndWrap(key, pending.username, pending.password);
}
