/** When a waiting new version may be applied (a reload): between tubes, and not while a sync is in flight. */
export type UpdateBlocker = "tube_open" | "sync_in_flight";

/** Why the waiting version cannot be applied now (null: it can). */
export function updateBlocker(station: { tubeOpen: boolean; syncing: boolean }): UpdateBlocker | null {
  if (station.tubeOpen) return "tube_open";
  if (station.syncing) return "sync_in_flight";
  return null;
}
