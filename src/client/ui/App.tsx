import { useEffect, useMemo, useState } from "react";
import { useSession, useStationView } from "../data/hooks";
import { getDeviceId } from "../data/meta";
import { todayCounters } from "../station/history";
import { Station } from "../station/station";
import { syncLoop } from "../sync/outbox";
import { signOut } from "../sync/signIn";
import { BoxScreen } from "./BoxScreen";
import { HistoryScreen } from "./HistoryScreen";
import { useI18n } from "./i18n";
import { LoginScreen } from "./LoginScreen";
import { StationScreen } from "./StationScreen";
import { SyncBadge } from "./SyncBadge";

export function App() {
  const { t, lang, setLang } = useI18n();
  const session = useSession();
  const [deviceId, setDeviceId] = useState<string | null>(null);

  useEffect(() => {
    void getDeviceId().then(setDeviceId);
    syncLoop.start();
    return () => syncLoop.stop();
  }, []);

  const signedIn = session?.token ? session : null;
  const [tab, setTab] = useState<"station" | "boxes" | "history">("station");
  const site = signedIn?.site;
  const staffId = signedIn?.staff.id;
  // One station per signed-in staff and site configuration: every screen's input goes through it, in order.
  const station = useMemo(
    () => (site && staffId ? new Station({ staffId, siteCode: site.code }, site, () => void syncLoop.syncNow()) : null),
    [site, staffId],
  );

  return (
    <div className="app">
      <header className="app-header">
        <span className="app-name">{t("appName")}</span>
        {signedIn && (
          <span className="who" data-testid="who">
            {signedIn.site.name} · {signedIn.staff.name}
          </span>
        )}
        <button type="button" className="link" onClick={() => setLang(lang === "zh" ? "en" : "zh")}>
          {t("language")}
        </button>
        {signedIn && (
          <button type="button" className="link" onClick={() => void signOut()}>
            {t("logout")}
          </button>
        )}
      </header>
      {session === undefined || deviceId === null ? null : signedIn && station ? (
        <>
          <SyncBadge />
          <Counters deviceId={deviceId} />
          <div className="tabs" role="tablist">
            {(["station", "boxes", "history"] as const).map((name) => (
              <button
                key={name}
                type="button"
                role="tab"
                aria-selected={tab === name}
                data-testid={`tab-${name}`}
                onClick={() => setTab(name)}
              >
                {t(name === "station" ? "tabStation" : name === "boxes" ? "tabBoxes" : "tabHistory")}
              </button>
            ))}
          </div>
          {tab === "station" && <StationScreen station={station} site={signedIn.site} deviceId={deviceId} />}
          {tab === "boxes" && <BoxScreen station={station} deviceId={deviceId} />}
          {tab === "history" && <HistoryScreen deviceId={deviceId} />}
        </>
      ) : (
        <LoginScreen lastUsername={session?.staff.username} />
      )}
    </div>
  );
}

function Counters({ deviceId }: { deviceId: string }) {
  const { t } = useI18n();
  const view = useStationView(deviceId);
  if (!view) return null;
  const c = todayCounters(view.state, deviceId);
  return (
    <p className="counters" data-testid="counters">
      <span>{t("countersStation", { n: c.deviceRegistrations, tubes: c.deviceTubes })}</span>
      <span>{t("countersSite", { n: c.siteRegistrations })}</span>
    </p>
  );
}
