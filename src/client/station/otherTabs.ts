/**
 * Tells the app's other open tabs that this one changed the device's data (BroadcastChannel), so their screens follow
 * at once: they apply the new events to their state and recount their queue. (Correctness does not depend on it:
 * every input first catches up with the log under the station lock.)
 */
/** "purged": a retention clean-up deleted records; a tab's state built before it must be built again. */
export type TabChange = "recorded" | "pulled" | "synced" | "quarantine" | "purged";

const channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel("samplepoint-station");

export function announceToOtherTabs(change: TabChange): void {
  channel?.postMessage(change);
}

export function onOtherTabChange(listener: (change: TabChange) => void): void {
  channel?.addEventListener("message", (event: MessageEvent<TabChange>) => listener(event.data));
}
