import { type SyncChipState, syncChipState } from "../sync/syncChip";
import { syncLoop } from "../sync/syncLoop";
import { formatTimeSeconds, type MessageKey, useI18n } from "./i18n";
import { useSyncStatus } from "./useSyncStatus";

type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** The chip's one short text (for the compact top-bar chip): what the sync state is, with the count that matters. */
export function syncChipText(chip: SyncChipState, t: Translate): string {
  switch (chip.kind) {
    case "signed-out":
      return t("signedOut");
    case "error":
      return chip.errorCode === "wrong_site" ? t("syncWrongSite") : t("syncError", { code: chip.errorCode ?? "?" });
    case "rejected":
      return t("syncRejected", { n: chip.rejected });
    case "offline":
      return chip.pending > 0 ? `${t("offline")} · ${t("syncPending", { n: chip.pending })}` : t("offline");
    case "syncing":
      return t("syncing");
    case "pending":
      return t("syncPending", { n: chip.pending });
    case "all-uploaded":
      return t("syncAllDone");
  }
}

/** Pending count, last sync time and state, with a sync-now button. */
export function SyncBadge() {
  const { t, lang } = useI18n();
  const status = useSyncStatus();
  const chip = syncChipState(status);
  const time = status.lastSyncAt ? formatTimeSeconds(status.lastSyncAt, lang) : t("never");
  const phaseText =
    status.phase === "syncing"
      ? t("syncing")
      : status.phase === "offline"
        ? t("offline")
        : chip.kind === "signed-out" || chip.kind === "error"
          ? syncChipText(chip, t)
          : null;
  return (
    <section
      className={`sync-badge sync-${status.phase}`}
      aria-live="polite"
      data-testid="sync-badge"
      data-chip={chip.kind}
    >
      <span data-testid="badge-pending" data-pending={status.pending}>
        {status.pending > 0
          ? t("syncPending", { n: status.pending })
          : chip.kind === "all-uploaded"
            ? t("syncAllDone")
            : null}
      </span>
      {status.rejected > 0 && <span className="sync-rejected">{t("syncRejected", { n: status.rejected })}</span>}
      {phaseText && <span className="sync-phase">{phaseText}</span>}
      <span className="sync-time">{t("lastSync", { time })}</span>
      {status.retryAt && status.phase !== "syncing" && (
        <span className="sync-retry" data-testid="sync-retry">
          {t("nextRetry", { time: formatTimeSeconds(status.retryAt, lang) })}
        </span>
      )}
      <button type="button" onClick={() => void syncLoop.syncNow()} disabled={status.phase === "syncing"}>
        {t("syncNow")}
      </button>
    </section>
  );
}
