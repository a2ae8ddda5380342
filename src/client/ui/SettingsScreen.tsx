import { useEffect, useState, useSyncExternalStore } from "react";
import { retentionCutoff, retentionDaysOf } from "../../domain/retention";
import { downloadExport, exportUnsynced } from "../data/exportQueue";
import { useLastPurge, useSession } from "../data/hooks";
import { type StorageStatus, storageStatus } from "../data/storage";
import { installState, promptInstall } from "../pwa/install";
import { updates } from "../pwa/updates";
import { APP_VERSION } from "../pwa/version";
import { BoxLabelsSection } from "./BoxLabelsSection";
import { formatDateTime, useI18n } from "./i18n";
import { SiteSettingsSection } from "./SiteSettingsSection";

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(bytes < 10_485_760 ? 1 : 0)} MB`;

/**
 * The site's settings (site leads only), box labels, version and updates, this device's storage, installing the app,
 * and exporting the unsynced queue.
 */
export function SettingsScreen() {
  const { t } = useI18n();
  const [storage, setStorage] = useState<StorageStatus | null>(null);
  const install = useSyncExternalStore(installState.subscribe, installState.get);
  const [exported, setExported] = useState<string | null>(null);

  useEffect(() => {
    void storageStatus().then(setStorage);
  }, []);

  return (
    <section className="settings" data-testid="settings">
      <SiteSettingsSection />
      <BoxLabelsSection />
      <h2>{t("settingsVersion")}</h2>
      <p>
        <code data-testid="app-version">{APP_VERSION}</code>{" "}
        <button type="button" className="link" onClick={() => void updates.check()}>
          {t("checkUpdate")}
        </button>
      </p>

      <h2>{t("settingsStorage")}</h2>
      {storage && (
        <>
          <p data-testid="storage-persisted" data-persisted={String(storage.persisted)}>
            {storage.persisted === null
              ? t("storageUnknown")
              : storage.persisted
                ? t("storagePersisted")
                : t("storageNotPersisted")}
          </p>
          {storage.usage !== null && storage.quota !== null && (
            <p data-testid="storage-usage">
              {t("storageUsage", {
                used: megabytes(storage.usage),
                free: megabytes(Math.max(0, storage.quota - storage.usage)),
              })}
            </p>
          )}
        </>
      )}

      <RetentionInfo />

      <h2>{t("installApp")}</h2>
      {install.installed ? (
        <p>{t("installed")}</p>
      ) : install.canPrompt ? (
        <button type="button" data-testid="install-app" onClick={() => void promptInstall()}>
          {t("installApp")}
        </button>
      ) : install.iosInstructions ? (
        <p data-testid="ios-install">{t("iosInstall")}</p>
      ) : null}

      <h2>{t("exportQueue")}</h2>
      <p className="hint">{t("exportHint")}</p>
      <button
        type="button"
        data-testid="export-queue"
        onClick={() =>
          void exportUnsynced().then((result) => {
            if (result.count === 0) {
              setExported(t("exportNothing"));
              return;
            }
            downloadExport(result);
            setExported(t("exportDone", { n: result.count, file: result.fileName }));
          })
        }
      >
        {t("exportQueue")}
      </button>
      {exported && (
        <p role="status" data-testid="export-result">
          {exported}
        </p>
      )}
    </section>
  );
}

/** What this phone keeps of the site's records and until when (retention: src/client/station/retention.ts). */
function RetentionInfo() {
  const { t, lang } = useI18n();
  const session = useSession();
  const last = useLastPurge();
  if (!session) return null;
  const days = retentionDaysOf(session.site);
  const cutoff = retentionCutoff(new Date(), days);
  return (
    <>
      <h2>{t("retentionTitle")}</h2>
      <p data-testid="retention-kept" data-days={days}>
        {t("retentionKept", { days, cutoff: formatDateTime(cutoff, lang) })}
      </p>
      <p className="hint" data-testid="retention-last">
        {last ? t("retentionLast", { at: formatDateTime(last.at, lang), n: last.removed }) : t("retentionNever")}
      </p>
    </>
  );
}
