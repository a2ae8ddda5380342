/** React hooks over the local database, so that screens re-render when the data changes (Dexie live queries). */
import { useLiveQuery } from "dexie-react-hooks";
import { useEffect, useMemo, useSyncExternalStore } from "react";
import type { StationState } from "../../domain/projection";
import { stationStore } from "../station/stationStore";
import { type StationView, viewOfState } from "../station/view";
import { currentDataKey, onDataKeyChange } from "./dataKey";
import { db } from "./db";
import { countPending } from "./eventLog";
import { getMeta } from "./meta";
import { pinUsable, type StoredPin } from "./pin";
import { knownStaffNames, loadSession } from "./session";

/** The station as projected from every local event (kept in memory); undefined until the first load. */
export function useStationView(deviceId: string): StationView | undefined {
  const snapshot = useSyncExternalStore(stationStore.subscribe, stationStore.getSnapshot);
  useEffect(() => {
    void stationStore.load();
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the snapshot's version marks in-place state changes
  return useMemo(
    () => (snapshot.loaded ? viewOfState(snapshot.state, deviceId) : undefined),
    [snapshot, snapshot.version, deviceId],
  );
}

/**
 * A value derived from the station state (undefined until loaded); the component re-renders only when the value
 * changes (compared with Object.is, so return a primitive), not on every recorded event.
 */
export function useStationSelector<T>(select: (state: StationState | undefined) => T): T {
  return useSyncExternalStore(stationStore.subscribe, () => {
    const snapshot = stationStore.getSnapshot();
    return select(snapshot.loaded ? snapshot.state : undefined);
  });
}

export const useSession = () => useLiveQuery(async () => (await loadSession()) ?? null, []);

/** The last retention clean-up on this phone (undefined before the first). */
export const useLastPurge = () => useLiveQuery(() => getMeta("lastPurge"), []);

/** Whether a PIN unlocks this device (one retired after five wrong tries or a sign-out does not). */
export const useHasPin = () =>
  useLiveQuery(async () => pinUsable((await db.meta.get("pin"))?.value as StoredPin | undefined), []);

export const usePendingCount = () => useLiveQuery(() => countPending(), []);

/** Staff names by id, for showing who voided, transferred or handed over. */
export const useStaffNames = () => useLiveQuery(() => knownStaffNames(), []);

/** Whether the data key is in memory (the app is unlocked): resident data can be read and recorded. */
export const useDataKeyHeld = () => useSyncExternalStore(onDataKeyChange, () => currentDataKey() !== null);
