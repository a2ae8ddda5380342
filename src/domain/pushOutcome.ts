/**
 * What a device does with the server's answer to a push — the device half of the sync core, pure so that the app's
 * outbox and the randomized sync test run the same rules:
 * - accepted or duplicate → synced (the server has it);
 * - rejected for a reason of its own → quarantined with the reason, never blocking the queue;
 * - `sequence_gap` → still pending, and every event after the server's mark is sent again (the server lost them:
 *   restored from an older backup, say), including ones this device had already marked synced or quarantined.
 */
import type { EventRejection, PushResponse } from "./protocol";

export interface SentEvent {
  id: string;
  seq: number;
}

export interface PushOutcomeForDevice {
  synced: string[];
  quarantined: { id: string; code: EventRejection; message: string }[];
  /** Set after a gap: resend every event with a sequence number above this. */
  resendAfter: number | null;
}

export function outcomeOfPush(
  sent: SentEvent[],
  response: Pick<PushResponse, "results" | "mark">,
): PushOutcomeForDevice {
  const outcome: PushOutcomeForDevice = { synced: [], quarantined: [], resendAfter: null };
  for (const result of response.results) {
    const event = sent[result.index];
    if (!event) continue;
    if (result.status !== "rejected") outcome.synced.push(event.id);
    else if (result.code === "sequence_gap") outcome.resendAfter = response.mark;
    else outcome.quarantined.push({ id: event.id, code: result.code, message: result.message });
  }
  return outcome;
}

/**
 * After a pull: the server's mark for this device is below events the device had marked synced or quarantined, so
 * the server lost them (restored from an older backup) and they must be sent again. Returns the mark to resend after.
 */
export function resendAfterMark(serverMark: number, highestSettledSeq: number): number | null {
  return highestSettledSeq > serverMark ? serverMark : null;
}
