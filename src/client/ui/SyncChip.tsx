import { type SyncChipKind, syncChipState } from "../sync/syncChip";
import { syncLoop } from "../sync/syncLoop";
import { type MessageKey, useI18n } from "./i18n";
import { useSyncStatus } from "./useSyncStatus";

const CHIP: Record<SyncChipKind, { key: MessageKey; tone: "ok" | "busy" | "warn" | "error" }> = {
  "signed-out": { key: "chipSignedOut", tone: "error" },
  error: { key: "chipError", tone: "error" },
  rejected: { key: "chipRejected", tone: "error" },
  offline: { key: "chipOffline", tone: "warn" },
  syncing: { key: "chipSyncing", tone: "busy" },
  pending: { key: "chipPending", tone: "warn" },
  "all-uploaded": { key: "chipAllDone", tone: "ok" },
};

/** The sync state in a few characters with the count that matters (syncChipState decides); a tap syncs now. */
export function SyncChip() {
  const { t } = useI18n();
  const status = useSyncStatus();
  const chip = syncChipState(status);
  const { key, tone } = CHIP[chip.kind];
  const label = t(key, { n: chip.kind === "rejected" ? chip.rejected : chip.pending });
  // Waiting records are worth showing in every state but "pending" (which names them already).
  const waiting = chip.pending > 0 && chip.kind !== "pending" && chip.kind !== "all-uploaded";
  return (
    <button
      type="button"
      className={`sync-chip chip-${tone}`}
      data-testid="sync-chip"
      data-chip={chip.kind}
      onClick={() => void syncLoop.syncNow()}
    >
      {/* Read out, not shown: what a tap does. */}
      <span className="visually-hidden">{t("syncNowPrefix")}</span>
      <span data-testid="pending-count" data-pending={status.pending}>
        {label}
        {waiting && <span className="chip-count"> · {chip.pending}</span>}
      </span>
    </button>
  );
}
