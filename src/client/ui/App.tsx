import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from "react";
import { openTubeOfDevice } from "../../domain/projection";
import { retentionDaysOf } from "../../domain/retention";
import { currentDataKey, dropDataKey, onDataKeyChange } from "../data/dataKey";
import { useDataKeyHeld, useHasPin, useSession, useStationSelector } from "../data/hooks";
import { getDeviceId } from "../data/meta";
import { forgetRecallList, loadRecallList } from "../data/recallList";
import { forgetRoster, loadRoster } from "../data/roster";
import { todayCounters } from "../station/history";
import { PURGE_EVERY_MS, purgeExpiredRecords } from "../station/retention";
import { sealLegacyRecords } from "../station/sealLegacy";
import { Station } from "../station/station";
import { stationStore } from "../station/stationStore";
import { signOut } from "../sync/signIn";
import { syncLoop } from "../sync/syncLoop";
import { BilingualAlert } from "./BilingualAlert";
import { useI18n } from "./i18n";
import { LockScreen, SetPinScreen } from "./LockScreens";
import { LoginScreen } from "./LoginScreen";
import { StationScreen } from "./StationScreen";
import { PlainTopBar, TopBar } from "./TopBar";
import { UpdatePrompt } from "./UpdatePrompt";
import { useSyncStatus } from "./useSyncStatus";

// Screens other than the station load when first opened (they are precached, so offline too): the first screen's
// JavaScript stays small.
const loadBoxScreen = () => import("./BoxScreen");
const loadHistoryScreen = () => import("./HistoryScreen");
const loadSettingsScreen = () => import("./SettingsScreen");
const BoxScreen = lazy(() => loadBoxScreen().then((m) => ({ default: m.BoxScreen })));
const HistoryScreen = lazy(() => loadHistoryScreen().then((m) => ({ default: m.HistoryScreen })));
const QuarantineScreen = lazy(() => import("./QuarantineScreen").then((m) => ({ default: m.QuarantineScreen })));
const SettingsScreen = lazy(() => loadSettingsScreen().then((m) => ({ default: m.SettingsScreen })));

/**
 * Once the station is up, the other tabs' code loads in idle time: a tab then opens at once, ready for the gun's
 * first scan, instead of waiting for its chunk.
 */
function usePreloadScreens(active: boolean) {
  useEffect(() => {
    if (!active) return;
    const preload = () =>
      void Promise.all([loadBoxScreen(), loadHistoryScreen(), loadSettingsScreen()]).catch(() => {});
    const idle = window.requestIdleCallback?.(preload, { timeout: 3000 });
    const timer = idle === undefined ? setTimeout(preload, 1500) : undefined;
    return () => {
      if (idle !== undefined) window.cancelIdleCallback(idle);
      clearTimeout(timer);
    };
  }, [active]);
}

const TAB_LABELS = {
  station: "tabStation",
  boxes: "tabBoxes",
  history: "tabHistory",
  settings: "tabSettings",
} as const;
// Glyphs every phone font has (no icon font to load).
const TAB_ICONS = { station: "◉", boxes: "▣", history: "☰", settings: "⚙" } as const;

export function App() {
  const { t } = useI18n();
  const session = useSession();
  const [deviceId, setDeviceId] = useState<string | null>(null);

  useEffect(() => {
    void getDeviceId().then(setDeviceId);
    // Locking drops the data key here and in the sync worker.
    // Every change of key (locked, unlocked, another key after a sign-in) reaches the sync worker.
    const forget = onDataKeyChange((key) => {
      syncLoop.setDataKey(key);
      if (!key) {
        forgetRecallList();
        forgetRoster();
      }
    });
    return () => {
      forget();
      syncLoop.stop();
    };
  }, []);

  // Unlocked: the day's state loads (the data key decrypts it), records still in the clear from before encryption are
  // sealed, and the sync worker gets the key. The worker starts once the state is loaded and the page is idle:
  // booting it beside that load would slow a phone's start, and nothing waits for the first upload.
  const keyHeld = useDataKeyHeld();
  useEffect(() => {
    if (!keyHeld) return;
    let stopped = false;
    const start = () => {
      if (stopped) return;
      syncLoop.start();
      syncLoop.setDataKey(currentDataKey());
    };
    void stationStore
      .load()
      .then(sealLegacyRecords)
      .catch((error: unknown) => console.warn("station state not loaded", error))
      .finally(() => {
        if (window.requestIdleCallback) window.requestIdleCallback(start, { timeout: 2000 });
        else setTimeout(start, 200);
      });
    return () => {
      stopped = true;
    };
  }, [keyHeld]);

  const signedIn = session?.token ? session : null;
  const hasPin = useHasPin();
  // The app starts locked (a restart locks it) and locks again after a spell of no touches or keys.
  const [locked, setLocked] = useState(true);
  const [passwordRequired, setPasswordRequired] = useState(false);
  const [logoutRefused, setLogoutRefused] = useState<number | null>(null);
  const lock = useCallback(() => {
    setLocked(true);
    // The day's state is saved (sealed) while the key is still here; then the key leaves memory — unless an unlock
    // in the meantime brought a key of its own.
    const key = currentDataKey();
    void stationStore.flush().finally(() => {
      if (currentDataKey() === key) dropDataKey();
    });
  }, []);
  useIdleLock(lock);
  const [tab, setTab] = useState<"station" | "boxes" | "history" | "settings" | "quarantine">("station");
  const sync = useSyncStatus();
  const site = signedIn?.site;
  const staffId = signedIn?.staff.id;
  // One station per signed-in staff and site configuration: every screen's input goes through it, in order.
  const station = useMemo(
    () => (site && staffId ? new Station({ staffId, siteCode: site.code }, site, () => syncLoop.nudge()) : null),
    [site, staffId],
  );

  // The site's recall list (residents to re-sample alone), kept sealed: into memory once unlocked.
  const siteCode = site?.code;
  useEffect(() => {
    if (keyHeld && siteCode) {
      void loadRecallList(siteCode).catch(() => undefined);
      // After the first paint's work: a 20,000-resident roster is a few megabytes to open, and nothing waits for it.
      const load = () => void loadRoster(siteCode).catch(() => undefined);
      if (window.requestIdleCallback) window.requestIdleCallback(load, { timeout: 1500 });
      else setTimeout(load, 300);
    }
  }, [keyHeld, siteCode]);

  // Retention: once unlocked, old handed-over records are deleted from the phone in the background (then every 6 h).
  const retentionDays = site ? retentionDaysOf(site) : null;
  useEffect(() => {
    if (!keyHeld || retentionDays === null) return;
    const run = () =>
      void purgeExpiredRecords(retentionDays).catch((error: unknown) => console.warn("retention clean-up", error));
    const first = setTimeout(run, 10_000);
    const every = setInterval(run, PURGE_EVERY_MS);
    return () => {
      clearTimeout(first);
      clearInterval(every);
    };
  }, [keyHeld, retentionDays]);

  const signOutNow = () =>
    void signOut().then((result) => {
      setLogoutRefused(result.ok ? null : result.pending);
      if (result.ok) setLocked(true);
    });
  // Without the data key nothing can be read or recorded: the lock screen, whatever the idle timer says.
  const unlocked = !locked && keyHeld;
  const working = Boolean(signedIn && station && hasPin && unlocked);
  usePreloadScreens(working);

  return (
    <div className={`app${working ? " app-working" : ""}`}>
      {signedIn && hasPin && unlocked ? (
        <TopBar
          siteName={signedIn.site.name}
          staffName={signedIn.staff.name}
          canLock={hasPin}
          onLock={lock}
          onSignOut={signOutNow}
        />
      ) : (
        <PlainTopBar />
      )}
      {logoutRefused !== null && (
        <BilingualAlert messageKey="logoutRefused" values={{ n: logoutRefused }} tone="warn" testId="logout-refused">
          <button type="button" onClick={() => void syncLoop.syncNow().then(() => setLogoutRefused(null))}>
            {t("syncNow")}
          </button>
        </BilingualAlert>
      )}
      {session === undefined || deviceId === null || hasPin === undefined ? null : signedIn && !hasPin && keyHeld ? (
        <SetPinScreen onDone={() => setLocked(false)} />
      ) : signedIn && !hasPin ? (
        // Signed in but the page was reloaded before a PIN was set: the password opens the data key again.
        <LoginScreen lastUsername={session?.staff.username} passwordRequired={false} />
      ) : signedIn && !unlocked ? (
        <LockScreen onUnlock={() => setLocked(false)} onPasswordRequired={() => setPasswordRequired(true)} />
      ) : signedIn && station ? (
        <>
          <UpdateNotice deviceId={deviceId} />
          <Counters deviceId={deviceId} />
          {tab === "station" && <StationScreen station={station} site={signedIn.site} deviceId={deviceId} />}
          <Suspense fallback={null}>
            {tab === "boxes" && <BoxScreen station={station} deviceId={deviceId} />}
            {tab === "history" && <HistoryScreen deviceId={deviceId} />}
            {tab === "settings" && <SettingsScreen />}
            {tab === "quarantine" && (
              <QuarantineScreen author={{ staffId: signedIn.staff.id, siteCode: signedIn.site.code }} />
            )}
          </Suspense>
          <nav className="tab-bar" aria-label={t("navigation")}>
            <div role="tablist">
              {(["station", "boxes", "history", "settings"] as const).map((name) => (
                <button
                  key={name}
                  type="button"
                  role="tab"
                  aria-selected={tab === name}
                  data-testid={`tab-${name}`}
                  onClick={() => setTab(name)}
                >
                  <span className="tab-icon" aria-hidden="true">
                    {TAB_ICONS[name]}
                  </span>
                  <span className="tab-label">{t(TAB_LABELS[name])}</span>
                </button>
              ))}
              {(sync.rejected > 0 || tab === "quarantine") && (
                <button
                  type="button"
                  role="tab"
                  className="tab-warn"
                  aria-selected={tab === "quarantine"}
                  data-testid="tab-quarantine"
                  onClick={() => setTab("quarantine")}
                >
                  <span className="tab-icon" aria-hidden="true">
                    {sync.rejected}
                  </span>
                  <span className="tab-label">{t("tabQuarantineShort")}</span>
                </button>
              )}
            </div>
          </nav>
        </>
      ) : (
        <LoginScreen lastUsername={session?.staff.username} passwordRequired={passwordRequired} />
      )}
    </div>
  );
}

/** The new-version notice, told whether this device's tube is open (an update then waits for the seal). */
function UpdateNotice({ deviceId }: { deviceId: string }) {
  // Until the state is loaded, whether a tube is open is unknown: wait. Re-rendered only when that answer changes.
  const tubeOpen = useStationSelector(
    (state) => state === undefined || openTubeOfDevice(state, deviceId) !== undefined,
  );
  return <UpdatePrompt tubeOpen={tubeOpen} />;
}

function Counters({ deviceId }: { deviceId: string }) {
  const { t } = useI18n();
  // One string, so a scan that changes no figure shown here renders nothing.
  const figures = useStationSelector((state) => {
    if (!state) return null;
    const c = todayCounters(state, deviceId);
    return `${c.deviceRegistrations} ${c.deviceTubes} ${c.siteRegistrations}`;
  });
  if (figures === null) return null;
  const [deviceRegistrations, deviceTubes, siteRegistrations] = figures.split(" ").map(Number);
  return (
    <p className="counters" data-testid="counters">
      <span>{t("countersStation", { n: deviceRegistrations ?? 0, tubes: deviceTubes ?? 0 })}</span>
      <span aria-hidden="true"> · </span>
      <span>{t("countersSite", { n: siteRegistrations ?? 0 })}</span>
    </p>
  );
}

/** Idle time before the app locks: 5 minutes; `samplepoint.idleMs` in localStorage shortens it for tests. */
function idleMs(): number {
  const configured = Number(localStorage.getItem("samplepoint.idleMs"));
  return Number.isFinite(configured) && configured > 0 ? configured : 5 * 60 * 1000;
}

function useIdleLock(lock: () => void): void {
  useEffect(() => {
    let timer = setTimeout(lock, idleMs());
    const reset = () => {
      clearTimeout(timer);
      timer = setTimeout(lock, idleMs());
    };
    const events = ["pointerdown", "keydown", "touchstart", "wheel"] as const;
    for (const name of events) window.addEventListener(name, reset, { passive: true });
    return () => {
      clearTimeout(timer);
      for (const name of events) window.removeEventListener(name, reset);
    };
  }, [lock]);
}
