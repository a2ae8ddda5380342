import { syncLoop } from "../sync/outbox";
import { useI18n } from "./i18n";
import { useSyncStatus } from "./useSyncStatus";

/** Pending count, last sync time and state, with a sync-now button. */
export function SyncBadge() {
  const { t } = useI18n();
  const status = useSyncStatus();
  const time = status.lastSyncAt ? new Date(status.lastSyncAt).toLocaleTimeString() : t("never");
  const phaseText =
    status.phase === "syncing"
      ? t("syncing")
      : status.phase === "offline"
        ? t("offline")
        : status.phase === "signed-out"
          ? t("signedOut")
          : status.phase === "error"
            ? status.lastError === "wrong_site"
              ? t("syncWrongSite")
              : t("syncError", { code: status.lastError ?? "?" })
            : null;
  return (
    <section className={`sync-badge sync-${status.phase}`} aria-live="polite" data-testid="sync-badge">
      <span data-testid="pending-count" data-pending={status.pending}>
        {status.pending > 0 ? t("syncPending", { n: status.pending }) : t("syncAllDone")}
      </span>
      {status.rejected > 0 && <span className="sync-rejected">{t("syncRejected", { n: status.rejected })}</span>}
      {phaseText && <span className="sync-phase">{phaseText}</span>}
      <span className="sync-time">{t("lastSync", { time })}</span>
      {status.retryAt && status.phase !== "syncing" && (
        <span className="sync-retry" data-testid="sync-retry">
          {t("nextRetry", { time: new Date(status.retryAt).toLocaleTimeString() })}
        </span>
      )}
      <button type="button" onClick={() => void syncLoop.syncNow()} disabled={status.phase === "syncing"}>
        {t("syncNow")}
      </button>
    </section>
  );
}
