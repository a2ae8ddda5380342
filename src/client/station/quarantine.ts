/**
 * The quarantine: this device's events the server rejected (never blocking the queue). Staff correct and resubmit
 * one as a new event, or discard it with a reason; either decision is itself an event, so the server's audit log
 * records it. A rejected event leaves the station's state (counters, tube) as soon as the rejection arrives
 * (StationStore.followQuarantine) and stays out once decided; a resubmitted one comes back as the new event.
 */
import { type SampleEvent, SampleEventSchema } from "../../domain/events";
import { EVENT_REJECTIONS, type EventRejection } from "../../domain/protocol";
import { type Resident, type ResidentCodeError, validateResident } from "../../domain/residentCode";
import { err, ok, type Result } from "../../domain/result";
import {
  type EventAuthor,
  NotQuarantinedError,
  type OpenEvent,
  quarantinedEvents,
  resolveQuarantined,
} from "../data/eventLog";
import { type StationStore, stationStore } from "./stationStore";

export type QuarantineProblem =
  | { code: "reason_required" }
  | { code: "invalid_resident"; error: ResidentCodeError }
  | { code: "still_invalid"; message: string; fields: RejectionField[] }
  | { code: "not_quarantined" };

export const listQuarantine = (): Promise<OpenEvent[]> => quarantinedEvents();

/** The part of an event a refusal is about, as staff know it (each has a sentence saying what to do). */
export type RejectionField =
  | "name"
  | "docType"
  | "docNumber"
  | "phone"
  | "community"
  | "tubeCode"
  | "boxCode"
  | "reason"
  | "courier"
  | "staff"
  | "time";

/** Event paths (as the server's and our own validation name them) to the field staff know. */
const FIELD_OF_PATH: Record<string, RejectionField> = {
  "payload.resident.name": "name",
  "payload.resident.docType": "docType",
  "payload.resident.docNumber": "docNumber",
  "payload.resident.phone": "phone",
  "payload.resident.community": "community",
  "payload.tubeCode": "tubeCode",
  "payload.fromTubeCode": "tubeCode",
  "payload.toTubeCode": "tubeCode",
  "payload.boxCode": "boxCode",
  "payload.reason": "reason",
  "payload.repeatReason": "reason",
  "payload.courierName": "courier",
  "payload.courierPhone": "courier",
  "payload.vehiclePlate": "courier",
  staffId: "staff",
  occurredAt: "time",
};

/** The known fields among these paths, each once, in order (unknown paths leave the general sentence). */
export function fieldsOfPaths(paths: string[]): RejectionField[] {
  const fields: RejectionField[] = [];
  for (const path of paths) {
    const field = FIELD_OF_PATH[path];
    if (field && !fields.includes(field)) fields.push(field);
  }
  return fields;
}

/** The resident's field a resident-code refusal is about (the schema's whole-resident check names it in JSON). */
function fieldOfResidentError(error: ResidentCodeError): RejectionField | null {
  switch (error.code) {
    case "bad_field":
      return error.field;
    case "bad_name":
    case "name_too_long":
      return "name";
    case "unknown_doc_type":
      return "docType";
    case "bad_document":
      return "docNumber";
    case "bad_phone":
      return "phone";
    case "community_too_long":
      return "community";
    default:
      return null;
  }
}

const RESIDENT_CHECK = "invalid resident: ";

/** The field paths of "path: message; path: message", with the whole-resident check's JSON read for its field. */
function pathsOfMessage(message: string): string[] {
  return message.split("; ").map((part) => {
    const at = part.indexOf(": ");
    const path = at < 0 ? part.trim() : part.slice(0, at).trim();
    const text = at < 0 ? "" : part.slice(at + 2);
    if (path === "payload.resident" && text.startsWith(RESIDENT_CHECK)) {
      try {
        const field = fieldOfResidentError(JSON.parse(text.slice(RESIDENT_CHECK.length)) as ResidentCodeError);
        if (field) return `payload.resident.${field}`;
      } catch {
        // Not the JSON this version writes: the general sentence stands.
      }
    }
    return path;
  });
}

export interface RejectionExplanation {
  /** The server's code; "unknown" for a code this app version does not know. */
  code: EventRejection | "unknown";
  /** For invalid data: the fields the server named. */
  fields: RejectionField[];
}

/**
 * Why the server refused an event, in terms staff can act on. The server's message for invalid data lists the
 * problems as "path: message; path: message" (pushBatch's describeIssues); the raw text stays for a details view.
 */
export function explainRejection(rejection: { code: string; message: string } | undefined): RejectionExplanation {
  const code = (EVENT_REJECTIONS as readonly string[]).includes(rejection?.code ?? "")
    ? (rejection?.code as EventRejection)
    : "unknown";
  if (code !== "invalid_event" || !rejection) return { code, fields: [] };
  return { code, fields: fieldsOfPaths(pathsOfMessage(rejection.message)) };
}

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
  stored: OpenEvent,
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
    const issues = check.error.issues;
    return err({
      code: "still_invalid",
      message: issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
      fields: fieldsOfPaths(pathsOfMessage(issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "))),
    });
  }
  const outcome = await decide(store, () =>
    resolveQuarantined(author, stored.id, { decision: "resubmitted", reason: cleaned, payload }),
  );
  return outcome.ok ? ok(outcome.value.replacement as SampleEvent) : outcome;
}

async function decide<T extends { resolved: OpenEvent }>(
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
