import { useSyncExternalStore } from "react";
import { type SyncStatus, syncLoop } from "../sync/outbox";

export const useSyncStatus = (): SyncStatus => useSyncExternalStore(syncLoop.subscribe, syncLoop.getStatus);
