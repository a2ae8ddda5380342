import { useEffect, useSyncExternalStore } from "react";
import { updateBlocker, updates } from "../pwa/updates";
import { useI18n } from "./i18n";
import { useSyncStatus } from "./useSyncStatus";

/**
 * A polite notice when a new version is waiting. Applying it reloads the app, so it waits for a moment between tubes:
 * accepted while this device's tube is open (or a sync runs), it applies by itself once the tube is sealed.
 */
export function UpdatePrompt({ tubeOpen }: { tubeOpen: boolean }) {
  const { t } = useI18n();
  const update = useSyncExternalStore(updates.subscribe, updates.get);
  const sync = useSyncStatus();
  const blocker = updateBlocker({ tubeOpen, syncing: sync.phase === "syncing" });

  useEffect(() => {
    if (update.waiting && update.accepted && blocker === null) void updates.apply();
  }, [update.waiting, update.accepted, blocker]);

  if (!update.waiting) return null;
  return (
    <section className="update-prompt" role="status" data-testid="update-prompt" data-blocker={blocker ?? ""}>
      <span>{t("updateReady")}</span>
      {update.accepted && blocker ? (
        <span data-testid="update-deferred">{t(blocker === "tube_open" ? "updateAfterTube" : "updateAfterSync")}</span>
      ) : (
        <button type="button" data-testid="update-now" onClick={() => updates.accept()}>
          {t("updateNow")}
        </button>
      )}
    </section>
  );
}
