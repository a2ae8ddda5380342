import { useEffect, useState } from "react";
import { useSession } from "../data/hooks";
import { getDeviceId } from "../data/meta";
import { syncLoop } from "../sync/outbox";
import { signOut } from "../sync/signIn";
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
      {session === undefined || deviceId === null ? null : signedIn ? (
        <>
          <SyncBadge />
          <StationScreen site={signedIn.site} staff={signedIn.staff} deviceId={deviceId} />
        </>
      ) : (
        <LoginScreen lastUsername={session?.staff.username} />
      )}
    </div>
  );
}
