import { useSyncExternalStore } from "react";
import type { SyncStatus } from "../sync/outbox";
import { syncLoop } from "../sync/syncLoop";

export const useSyncStatus = (): SyncStatus => useSyncExternalStore(syncLoop.subscribe, syncLoop.getStatus);
