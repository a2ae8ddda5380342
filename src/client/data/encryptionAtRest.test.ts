// Resident data at rest on the device, over a real Dexie database (fake-indexeddb) and Node's WebCrypto: what the
// database holds is read raw, outside the app's read functions.
import "fake-indexeddb/auto";
import Dexie from "dexie";
import { beforeEach, describe, expect, it } from "vitest";
import { project } from "../../domain/projection";
import { snapshotOf } from "../../domain/stateSnapshot";
import { eventStream } from "../../domain/testEvents";
import { StationStore } from "../station/stationStore";
import { currentDataKey, DeviceLockedError, dropDataKey, holdDataKey, newDataKey } from "./dataKey";
import { DATABASE_NAME, db, SCHEMA_VERSIONS } from "./db";
import { onRecordsErased, openDataKeyAtSignIn, pinNeededAfterSignIn, RecordsOfAnotherUserError } from "./deviceKeys";
import { allEvents, countPending, markSyncResults, recordEvent } from "./eventLog";
import { encryptLegacyRecords } from "./legacyEncryption";
import { getMeta, setMeta } from "./meta";
import { checkPin, forgetPin, hasPin, MAX_PIN_FAILURES, setPin } from "./pin";
import { storePulledPage } from "./remoteEvents";

const author = { staffId: "staff-1", siteCode: "DEMO" };
const residents = [
  {
    name: "张三丰",
    docType: "ID" as const,
    docNumber: "110105194912310038",
    phone: "13912345678",
    community: "幸福里社区",
  },
  { name: "李四海", docType: "PP" as const, docNumber: "E77712345", phone: "13698765432", community: "向阳街道" },
];
const secrets = residents.flatMap((r) => [r.name, r.docNumber, r.phone, r.community]);

/** Every value the database holds, as text: records as JSON, Blobs and binary fields decoded as UTF-8. */
async function everythingStored(): Promise<string> {
  const parts: string[] = [];
  const visit = async (value: unknown): Promise<void> => {
    if (value instanceof Blob) parts.push(await value.text());
    else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value))
      parts.push(new TextDecoder().decode(value as ArrayBuffer));
    else if (Array.isArray(value)) for (const v of value) await visit(v);
    else if (value && typeof value === "object") for (const v of Object.values(value)) await visit(v);
    else parts.push(String(value));
  };
  for (const table of db.tables) for (const record of await table.toArray()) await visit(record);
  return parts.join("\n");
}

async function registerTwo() {
  await recordEvent(author, "tube.opened", { tubeCode: "YT00000001", capacity: 10 });
  for (const resident of residents) {
    await recordEvent(author, "registration.added", {
      registrationId: crypto.randomUUID(),
      tubeCode: "YT00000001",
      resident,
    });
  }
}

beforeEach(async () => {
  await db.delete();
  await db.open();
});

describe("resident data encrypted at rest", () => {
  it("stores no name, document number, phone or community in the clear: events, pulled events, snapshot", async () => {
    await registerTwo();
    const other = eventStream("other-phone", "DEMO", "staff-2");
    await storePulledPage(
      [
        other.next("tube.opened", { tubeCode: "YT00000002", capacity: 10 }),
        other.next("registration.added", {
          registrationId: crypto.randomUUID(),
          tubeCode: "YT00000002",
          resident: { name: "王五岳", docType: "ID", docNumber: "37060219800101001X" },
        }),
      ],
      { siteCode: "DEMO", after: 2, afterId: null },
    );
    const store = new StationStore();
    await store.load();
    await store.saveNow();
    const stored = await everythingStored();
    for (const secret of [...secrets, "王五岳", "37060219800101001X"]) expect(stored).not.toContain(secret);
    // The app reads them back: the state holds both devices' residents.
    const again = await new StationStore().load();
    expect([...again.registrations.values()].map((r) => r.resident.name).sort()).toEqual(
      ["张三丰", "李四海", "王五岳"].sort(),
    );
  });

  it("reads and writes nothing while locked; the right PIN unlocks the same data, wrong ones count down", async () => {
    await setPin("2468");
    await registerTwo();
    dropDataKey();
    expect(currentDataKey()).toBeNull();
    await expect(allEvents()).rejects.toBeInstanceOf(DeviceLockedError);
    await expect(recordEvent(author, "tube.opened", { tubeCode: "YT00000009", capacity: 10 })).rejects.toBeInstanceOf(
      DeviceLockedError,
    );
    expect(await checkPin("1111")).toEqual({ ok: false, remaining: MAX_PIN_FAILURES - 1 });
    expect(currentDataKey()).toBeNull();
    expect(await checkPin("2468")).toEqual({ ok: true });
    expect((await allEvents()).map((e) => e.type)).toEqual(["tube.opened", "registration.added", "registration.added"]);
    // The PIN is not stored: only the data key wrapped under it.
    expect(JSON.stringify(await getMeta("pin"))).not.toContain("2468");
  });

  it("after five wrong PINs the password opens the data key again, with every record intact", async () => {
    await openDataKeyAtSignIn("collector1", "correct horse");
    await setPin("2468");
    await registerTwo();
    const before = await allEvents();
    dropDataKey();
    for (let i = 1; i < MAX_PIN_FAILURES; i++) expect((await checkPin("0000")).ok).toBe(false);
    expect(await checkPin("0000")).toEqual({ ok: false, remaining: 0 });
    expect(await hasPin()).toBe(false);
    // The PIN's copy of the key is gone with it: the right PIN no longer opens anything.
    expect(await checkPin("2468")).toEqual({ ok: false, remaining: 0 });
    expect(currentDataKey()).toBeNull();
    await openDataKeyAtSignIn("collector1", "correct horse");
    expect(await allEvents()).toEqual(before);
    expect(await countPending()).toBe(3);
    // The retired PIN's copy goes once the password has opened the records: a new PIN is set next.
    expect(await getMeta("pin")).toBeUndefined();
  });

  it("a password changed elsewhere never seals the records for good: five wrong PINs, the new password, then the PIN", async () => {
    await openDataKeyAtSignIn("collector1", "old password");
    await setPin("2468");
    await registerTwo();
    const before = await allEvents();
    dropDataKey();
    for (let i = 0; i < MAX_PIN_FAILURES; i++) expect((await checkPin("0000")).ok).toBe(false);
    expect(await hasPin()).toBe(false);
    // The password was changed on the server meanwhile: the new one cannot open the records; the PIN is asked for.
    await openDataKeyAtSignIn("collector1", "new password");
    expect(currentDataKey()).toBeNull();
    expect(pinNeededAfterSignIn()).toBe(true);
    expect(await hasPin()).toBe(true);
    expect(await checkPin("2468")).toEqual({ ok: true });
    expect(await allEvents()).toEqual(before);
    // From then on the new password opens them.
    dropDataKey();
    await forgetPin();
    await openDataKeyAtSignIn("collector1", "new password");
    expect(currentDataKey()).not.toBeNull();
    expect(await allEvents()).toEqual(before);
    expect(await countPending()).toBe(3);
  });

  it("that recovery is one round of PIN tries: its fifth failure deletes the PIN's copy, and the sign-in says why", async () => {
    await openDataKeyAtSignIn("collector1", "old password");
    await setPin("2468");
    await registerTwo();
    dropDataKey();
    for (let i = 0; i < MAX_PIN_FAILURES; i++) await checkPin("0000");
    await openDataKeyAtSignIn("collector1", "new password");
    expect(pinNeededAfterSignIn()).toBe(true);
    for (let i = 0; i < MAX_PIN_FAILURES; i++) expect((await checkPin("1111")).ok).toBe(false);
    // No second round bought with another correct login: the PIN's copy is gone.
    expect(await getMeta("pin")).toBeUndefined();
    const refused = await openDataKeyAtSignIn("collector1", "new password").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RecordsOfAnotherUserError);
    expect(refused).toMatchObject({ unsent: 3, ownPreviousPassword: true });
    expect(await db.events.count()).toBe(3);
    // The previous password (set back by an admin for one sign-in) still opens them, losing nothing.
    await openDataKeyAtSignIn("collector1", "old password");
    expect(await countPending()).toBe(3);
  });

  it("signing out leaves no copy of the key that a PIN opens (the password's copy stays)", async () => {
    await openDataKeyAtSignIn("collector1", "pw-one");
    await setPin("2468");
    await forgetPin();
    expect(await getMeta("pin")).toBeUndefined();
    expect((await getMeta("dataKey"))?.password?.username).toBe("collector1");
  });

  it("a sign-in never works under a key still held from before it (another user's, after a token expired)", async () => {
    await openDataKeyAtSignIn("collector1", "pw-one");
    await setPin("2468");
    await registerTwo();
    // collector1's token expired with the app unlocked; collector2 signs in on the same phone.
    await expect(openDataKeyAtSignIn("collector2", "pw-two")).rejects.toBeInstanceOf(RecordsOfAnotherUserError);
    expect(currentDataKey()).toBeNull();
    await expect(allEvents()).rejects.toBeInstanceOf(DeviceLockedError);
  });

  it("another staff member cannot open the records: refused while any wait for upload, else erased", async () => {
    await openDataKeyAtSignIn("collector1", "pw-one");
    await setPin("2468");
    await registerTwo();
    await forgetPin();
    dropDataKey();
    await expect(openDataKeyAtSignIn("collector2", "pw-two")).rejects.toBeInstanceOf(RecordsOfAnotherUserError);
    expect(await db.events.count()).toBe(3);
    // The first collector uploads everything; then the second may take the phone, which starts afresh.
    await openDataKeyAtSignIn("collector1", "pw-one");
    await markSyncResults(
      (await db.events.toArray()).map((s) => s.id),
      [],
    );
    dropDataKey();
    await setMeta("retainedCounts", {
      "2026-12-01": { registrations: 5, registrationsByDevice: {}, tubesByDevice: {} },
    });
    let erased = 0;
    const stop = onRecordsErased(() => erased++);
    await openDataKeyAtSignIn("collector2", "pw-two");
    stop();
    expect(erased).toBe(1);
    expect(await db.events.count()).toBe(0);
    expect(await getMeta("retainedCounts")).toBeUndefined();
    expect((await getMeta("dataKey"))?.password?.username).toBe("collector2");
    // The second collector records at once: the station's state stands for the erased numbers too (it would otherwise
    // expect event 1 and be refused as stale on every write).
    const store = new StationStore();
    await store.load();
    expect(store.expectedNextSeq()).toBe(4);
    const next = await recordEvent(
      { ...author, staffId: "staff-2" },
      "tube.opened",
      { tubeCode: "YT00000002", capacity: 10 },
      undefined,
      store.expectedNextSeq(),
    );
    expect(next.seq).toBe(4);
  });
});

describe("a device upgraded from before encryption (schema version 3, everything in the clear)", () => {
  it("keeps its PIN, and at the first unlock seals every record in place, losing nothing", async () => {
    db.close();
    await Dexie.delete(DATABASE_NAME);
    const old = new Dexie(DATABASE_NAME);
    for (const v of SCHEMA_VERSIONS.filter((s) => s.version <= 3)) old.version(v.version).stores(v.stores);
    await old.open();
    const mine = eventStream("device-old", "DEMO", "staff-1");
    const theirs = eventStream("device-other", "DEMO", "staff-2");
    const own = [
      mine.next("tube.opened", { tubeCode: "UPG00001", capacity: 10 }),
      ...residents.map((resident) =>
        mine.next("registration.added", { registrationId: crypto.randomUUID(), tubeCode: "UPG00001", resident }),
      ),
    ];
    const pulled = [theirs.next("tube.opened", { tubeCode: "UPG00002", capacity: 5 })];
    await old.table("events").bulkAdd(
      own.map((event, i) => ({
        id: event.id,
        seq: event.seq,
        event,
        syncState: i === 0 ? "synced" : "pending",
        ...(i === 0 ? { syncedAt: "2026-11-29T08:00:00.000Z" } : {}),
      })),
    );
    await old.table("remoteEvents").bulkAdd(pulled.map((event) => ({ id: event.id, event })));
    const state = project([...own, ...pulled]);
    const { asciiJson } = await import("./snapshot");
    await old.table("snapshots").put({
      key: "station",
      lastSeq: 3,
      remoteOrder: 1,
      leftOut: [],
      savedAt: "2026-11-29T08:01:00.000Z",
      json: new Blob([asciiJson(snapshotOf(state))]),
    });
    // The PIN as the old version kept it: a salted PBKDF2 hash.
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const material = await crypto.subtle.importKey("raw", new TextEncoder().encode("1357"), "PBKDF2", false, [
      "deriveBits",
    ]);
    const bits = await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt, iterations: 1000 },
      material,
      256,
    );
    const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
    await old.table("meta").bulkAdd([
      { key: "deviceId", value: "device-old" },
      { key: "nextSeq", value: 4 },
      { key: "pin", value: { salt: b64(salt), hash: b64(new Uint8Array(bits)), iterations: 1000, failures: 0 } },
    ]);
    old.close();

    dropDataKey();
    await db.open();
    expect(db.verno).toBe(SCHEMA_VERSIONS.at(-1)?.version);
    // Its staff sign in with the password first (the token had expired): no key is made yet — the PIN's old hash
    // makes it at the unlock, and the password's copy wraps that same key.
    await openDataKeyAtSignIn("staff-old", "old password");
    expect(currentDataKey()).toBeNull();
    expect(await checkPin("9999")).toEqual({ ok: false, remaining: MAX_PIN_FAILURES - 1 });
    expect(await checkPin("1357")).toEqual({ ok: true });
    // The day's state loads from the old snapshot; then everything is sealed in place.
    const store = new StationStore();
    expect(snapshotOf(await store.load())).toEqual(snapshotOf(state));
    expect(await encryptLegacyRecords()).toBe(4);
    await store.saveNow();
    const stored = await everythingStored();
    for (const secret of secrets) expect(stored).not.toContain(secret);
    expect(await db.events.where("plain").equals(1).count()).toBe(0);
    // Nothing lost: the same events, the same queue, the same state after a restart; the PIN still unlocks.
    expect(await allEvents()).toEqual(own);
    expect(await countPending()).toBe(2);
    expect(snapshotOf(await new StationStore().load())).toEqual(snapshotOf(state));
    dropDataKey();
    expect(await checkPin("1357")).toEqual({ ok: true });
    expect(await allEvents()).toEqual(own);
    dropDataKey();
    await openDataKeyAtSignIn("staff-old", "old password");
    expect(await allEvents()).toEqual(own);
  });
});
