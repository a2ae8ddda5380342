/** React hooks over the local database, so that screens re-render when the data changes (Dexie live queries). */
import { useLiveQuery } from "dexie-react-hooks";
import { viewOf } from "../station/view";
import { db } from "./db";
import { allEvents, countPending } from "./eventLog";
import { loadSession } from "./session";

/** The station as projected from every local event; deviceId comes from getDeviceId() at start-up. */
export const useStationView = (deviceId: string) =>
  useLiveQuery(async () => viewOf(await allEvents(), deviceId), [deviceId]);

export const useSession = () => useLiveQuery(async () => (await loadSession()) ?? null, []);

export const useHasPin = () => useLiveQuery(async () => (await db.meta.get("pin")) !== undefined, []);

export const usePendingCount = () => useLiveQuery(() => countPending(), []);
