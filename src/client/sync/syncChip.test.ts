import { describe, expect, it } from "vitest";
import type { SyncPhase } from "./outbox";
import { syncChipState } from "./syncChip";

const status = (phase: SyncPhase, pending = 0, rejected = 0, lastError?: string) => ({
  phase,
  pending,
  rejected,
  ...(lastError ? { lastError } : {}),
});

describe("sync chip", () => {
  it("says all uploaded only when idle with nothing pending and nothing rejected", () => {
    expect(syncChipState(status("idle"))).toEqual({ kind: "all-uploaded", pending: 0, rejected: 0 });
    expect(syncChipState(status("idle", 0, 1)).kind).toBe("rejected");
    expect(syncChipState(status("syncing")).kind).toBe("syncing");
    expect(syncChipState(status("idle", 3)).kind).toBe("pending");
    expect(syncChipState(status("offline")).kind).toBe("offline");
  });

  it("never claims all uploaded while a record is rejected, a sync runs, or the last one failed", () => {
    const phases: SyncPhase[] = ["idle", "syncing", "offline", "error", "signed-out"];
    for (const phase of phases) {
      for (const pending of [0, 1]) {
        for (const rejected of [0, 1]) {
          const chip = syncChipState(status(phase, pending, rejected));
          const quiet = phase === "idle" && pending === 0 && rejected === 0;
          expect(chip.kind === "all-uploaded", `${phase} ${pending} ${rejected}`).toBe(quiet);
          expect(chip).toMatchObject({ pending, rejected });
        }
      }
    }
  });

  it("puts what staff must act on first: signed out, then an error, then rejected records", () => {
    expect(syncChipState(status("signed-out", 2, 1)).kind).toBe("signed-out");
    expect(syncChipState(status("error", 2, 1, "wrong_site"))).toEqual({
      kind: "error",
      pending: 2,
      rejected: 1,
      errorCode: "wrong_site",
    });
    expect(syncChipState(status("syncing", 2, 1)).kind).toBe("rejected");
    expect(syncChipState(status("offline", 2, 1)).kind).toBe("rejected");
    expect(syncChipState(status("offline", 2)).kind).toBe("offline");
  });
});
