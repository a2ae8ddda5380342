/**
 * What the sync chip (top bar) and the sync badge say, decided in one pure place: "all uploaded" only when nothing
 * waits, nothing is rejected and no sync is running or failing. Anything staff must act on (signed out, an error,
 * rejected records) wins over the quieter states; every state carries the counts for the chip to show.
 */
import type { SyncStatus } from "./outbox";

export type SyncChipKind = "signed-out" | "error" | "rejected" | "offline" | "syncing" | "pending" | "all-uploaded";

export interface SyncChipState {
  kind: SyncChipKind;
  /** Events waiting to upload. */
  pending: number;
  /** Events the server refused that still wait for staff (the quarantine tab). */
  rejected: number;
  /** For "error": the failure's code (wrong_site, sequence_gap, …). */
  errorCode?: string;
}

export function syncChipState(status: Pick<SyncStatus, "phase" | "pending" | "rejected" | "lastError">): SyncChipState {
  const counts = { pending: status.pending, rejected: status.rejected };
  if (status.phase === "signed-out") return { kind: "signed-out", ...counts };
  if (status.phase === "error") return { kind: "error", ...counts, errorCode: status.lastError ?? "unexpected" };
  if (status.rejected > 0) return { kind: "rejected", ...counts };
  if (status.phase === "offline") return { kind: "offline", ...counts };
  if (status.phase === "syncing") return { kind: "syncing", ...counts };
  if (status.pending > 0) return { kind: "pending", ...counts };
  return { kind: "all-uploaded", ...counts };
}
