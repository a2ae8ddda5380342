import type { SyncStatus } from "../sync/outbox";
import { syncLoop } from "../sync/outbox";
import { type MessageKey, useI18n } from "./i18n";
import { useSyncStatus } from "./useSyncStatus";

type Chip = { key: MessageKey; tone: "ok" | "busy" | "warn" | "error" };

/** What the chip says: never "all uploaded" while a sync runs or something is rejected or waiting. */
function chipOf(status: SyncStatus): Chip {
  if (status.phase === "signed-out") return { key: "chipSignedOut", tone: "error" };
  if (status.rejected > 0) return { key: "chipRejected", tone: "error" };
  if (status.phase === "syncing") return { key: "chipSyncing", tone: "busy" };
  if (status.phase === "offline") return { key: "chipOffline", tone: "warn" };
  if (status.phase === "error") return { key: "chipError", tone: "error" };
  if (status.pending > 0) return { key: "chipPending", tone: "warn" };
  return { key: "chipAllDone", tone: "ok" };
}

/** The sync state in a few characters with the pending count; a tap syncs now. */
export function SyncChip() {
  const { t } = useI18n();
  const status = useSyncStatus();
  const chip = chipOf(status);
  const label = t(chip.key, { n: status.rejected > 0 ? status.rejected : status.pending });
  return (
    <button
      type="button"
      className={`sync-chip chip-${chip.tone}`}
      data-testid="sync-chip"
      aria-label={t("syncNowLabel", { state: label, n: status.pending })}
      onClick={() => void syncLoop.syncNow()}
    >
      <span data-testid="pending-count" data-pending={status.pending} aria-hidden="true">
        {label}
        {status.pending > 0 && chip.key !== "chipPending" && <span className="chip-count"> · {status.pending}</span>}
      </span>
    </button>
  );
}
