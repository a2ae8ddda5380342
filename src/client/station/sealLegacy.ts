/**
 * After an unlock: records stored in the clear before encryption at rest are sealed in place, and a snapshot saved in
 * the clear is saved again, sealed (the state is loaded by then).
 */
import { encryptLegacyRecords } from "../data/legacyEncryption";
import { snapshotInClear } from "../data/snapshot";
import { stationStore } from "./stationStore";

export async function sealLegacyRecords(): Promise<void> {
  await encryptLegacyRecords();
  if (await snapshotInClear()) await stationStore.saveNow();
}
