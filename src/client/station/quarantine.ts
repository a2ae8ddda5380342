/**
 * The quarantine: this device's events the server rejected (never blocking the queue). Staff correct and resubmit
 * one as a new event, or discard it with a reason; either decision is itself an event, so the server's audit log
 * records it. A rejected event leaves the station's state (counters, tube) as soon as the rejection arrives
 * (StationStore.leaveOutRejected) and stays out once decided; a resubmitted one comes back as the new event.
 */
import { type SampleEvent, SampleEventSchema } from "../../domain/events";
import { type Resident, type ResidentCodeError, validateResident } from "../../domain/residentCode";
import { err, ok, type Result } from "../../domain/result";
import type { StoredEvent } from "../data/db";
import { type EventAuthor, NotQuarantinedError, quarantinedEvents, resolveQuarantined } from "../data/eventLog";
import { type StationStore, stationStore } from "./stationStore";

export type QuarantineProblem =
  | { code: "reason_required" }
  | { code: "invalid_resident"; error: ResidentCodeError }
  | { code: "still_invalid"; message: string }
  | { code: "not_quarantined" };

export const listQuarantine = (): Promise<StoredEvent[]> => quarantinedEvents();

const REASON_MAX = 200;

function cleanReason(reason: string): string | null {
  const trimmed = reason.trim();
  return trimmed.length > 0 ? trimmed.slice(0, REASON_MAX) : null;
}

export async function discardQuarantined(
  author: EventAuthor,
  id: string,
  reason: string,
  store: StationStore = stationStore,
): Promise<Result<void, QuarantineProblem>> {
  const cleaned = cleanReason(reason);
  if (!cleaned) return err({ code: "reason_required" });
  const outcome = await decide(store, () => resolveQuarantined(author, id, { decision: "discarded", reason: cleaned }));
  return outcome.ok ? ok(undefined) : outcome;
}

/**
 * Resubmits a quarantined event as a new one. A registration may be corrected (the resident's fields); the result is
 * checked against the same schema the server uses, so staff see at once whether it would be refused again.
 */
export async function resubmitQuarantined(
  author: EventAuthor,
  stored: StoredEvent,
  reason: string,
  correctedResident?: Resident,
  store: StationStore = stationStore,
): Promise<Result<SampleEvent, QuarantineProblem>> {
  const cleaned = cleanReason(reason);
  if (!cleaned) return err({ code: "reason_required" });
  let payload: SampleEvent["payload"] = stored.event.payload;
  if (stored.event.type === "registration.added" && correctedResident) {
    const resident = validateResident(correctedResident);
    if (!resident.ok) return err({ code: "invalid_resident", error: resident.error });
    payload = { ...stored.event.payload, resident: resident.value };
  }
  const check = SampleEventSchema.safeParse({ ...stored.event, ...author, payload });
  if (!check.success) {
    return err({ code: "still_invalid", message: check.error.issues.map((i) => i.message).join("; ") });
  }
  const outcome = await decide(store, () =>
    resolveQuarantined(author, stored.id, { decision: "resubmitted", reason: cleaned, payload }),
  );
  return outcome.ok ? ok(outcome.value.replacement as SampleEvent) : outcome;
}

async function decide<T extends { resolved: StoredEvent }>(
  store: StationStore,
  run: () => Promise<T>,
): Promise<Result<T, QuarantineProblem>> {
  try {
    const value = await run();
    // The decided event stays out of the state; the replacement (if any) joins it.
    await store.forgetEvent(value.resolved.seq);
    return ok(value);
  } catch (error) {
    if (error instanceof NotQuarantinedError) return err({ code: "not_quarantined" });
    throw error;
  }
}
