import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { dropDataKey } from "./data/dataKey";
import { onKeyChangedInOtherTab, onRecordsErased } from "./data/deviceKeys";
import { watchInstallability } from "./pwa/install";
import { registerServiceWorker } from "./pwa/updates";
import { announceToOtherTabs, onOtherTabChange } from "./station/otherTabs";
import { stationStore } from "./station/stationStore";
import { refreshRecallsAfterSync } from "./sync/recalls";
import { refreshRosterAfterSync } from "./sync/roster";
import { syncLoop } from "./sync/syncLoop";
import { App } from "./ui/App";
import { I18nProvider } from "./ui/i18n";
import "./ui/styles.css";

// The service worker precaches the app shell so the station opens with no network; new versions wait for consent.
registerServiceWorker();
watchInstallability();

// The day's state loads once the PIN has unlocked the data key (App.tsx); it is saved as a snapshot when the app is
// hidden.
// A different staff member's sign-in erased the previous records: the state built from them goes too.
onRecordsErased(() => void stationStore.reload().catch(() => undefined));
// Another tab signed in (possibly erasing the records and making a new key) or out: this one drops its key and its
// state, and locks — it must never record, or set a PIN, under a key that is no longer the device's.
onKeyChangedInOtherTab(() => {
  dropDataKey();
  stationStore.unload();
});
// Other devices' events, pulled by the sync loop, join the station's state (their tubes, duplicates, counters).
syncLoop.onRemoteEvents(() => {
  void stationStore.catchUpRemote();
  announceToOtherTabs("pulled");
});
// The server rejected events of this device: they leave the station's counters and tubes until resubmitted.
syncLoop.onQuarantineChanged(() => {
  void stationStore.followQuarantine();
  announceToOtherTabs("quarantine");
});
// Another tab of the app recorded, pulled or uploaded events (one tab runs the sync loop): follow at once.
onOtherTabChange((change) => {
  if (change === "recorded") void stationStore.catchUpLocal();
  if (change === "pulled") void stationStore.catchUpRemote();
  if (change === "quarantine") void stationStore.followQuarantine();
  if (change === "purged") void stationStore.reload().catch(() => undefined);
  void syncLoop.refreshCounts();
});
let lastPhase = syncLoop.getStatus().phase;
let lastSyncAt: string | undefined;
syncLoop.subscribe((status) => {
  if (lastPhase === "syncing" && status.phase !== "syncing") announceToOtherTabs("synced");
  // The site's recall list follows each completed sync (residents of positive pools to re-sample alone).
  if (status.lastSyncAt !== undefined && status.lastSyncAt !== lastSyncAt) {
    lastSyncAt = status.lastSyncAt;
    void refreshRecallsAfterSync();
    void refreshRosterAfterSync();
  }
  lastPhase = status.phase;
});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") void stationStore.flush();
});

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <I18nProvider>
      <App />
    </I18nProvider>
  </StrictMode>,
);
