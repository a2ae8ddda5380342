/**
 * Station decisions: given the projected state, may staff open, register, void or seal? Each returns the payload of the
 * event to record, or a specific refusal. Pure: the client turns the payload into an event and stores it.
 */
import type { PayloadOf, PoolSize } from "./events";
import { type PhoneRejection, validateMobile } from "./phone";
import {
  activeMembers,
  type BoxStatus,
  openTubeOfDevice,
  type Registration,
  registrationsOfDocument,
  type StationState,
  type Tube,
  type TubeStatus,
} from "./projection";
import { cleanReasonText, reasonTextProblem, UNDO_REASON } from "./reasons";
import type { Resident } from "./residentCode";
import { err, ok, type Result } from "./result";
import { siteDay } from "./siteDay";

export { siteDay };

export type StationRefusal =
  | { code: "tube_exists"; tubeCode: string; status: TubeStatus }
  | { code: "no_such_tube"; tubeCode: string }
  | { code: "tube_sealed"; tubeCode: string }
  | { code: "tube_full"; tubeCode: string; capacity: number }
  | { code: "already_in_tube"; tubeCode: string; registrationId: string }
  | { code: "no_such_registration"; registrationId: string }
  | { code: "already_voided"; registrationId: string }
  | { code: "short_needs_confirmation"; count: number; capacity: number }
  | { code: "empty_tube"; tubeCode: string }
  /** Only an empty tube is abandoned: its people are voided or moved to another tube first. */
  | { code: "tube_not_empty"; tubeCode: string; count: number }
  | { code: "tube_void"; tubeCode: string; transferredTo?: string }
  | { code: "registered_today"; tubeCode: string; registeredAt: string }
  | { code: "reason_required" }
  | { code: "tube_in_box"; tubeCode: string; boxCode: string }
  | { code: "other_tube_open"; tubeCode: string }
  | { code: "box_exists"; boxCode: string }
  | { code: "box_already_open"; boxCode: string }
  | { code: "no_such_box"; boxCode: string }
  | { code: "box_not_open"; boxCode: string; status: BoxStatus }
  | { code: "tube_not_sealed"; tubeCode: string }
  | { code: "empty_box"; boxCode: string }
  | { code: "box_locked"; boxCode: string }
  | { code: "box_not_closed"; boxCode: string }
  | { code: "courier_name_required" }
  | { code: "bad_lab_code" }
  /** A resident of a positive pool, on the site's recall list: re-sampled alone in a new tube. */
  | { code: "recalled_resident"; name: string; tubeOpen: boolean }
  | { code: "bad_courier_phone"; reason: PhoneRejection }
  | { code: "reason_too_long"; max: number }
  /** Undo (see decideUndo): the registration is gone or voided already, or there was none. */
  | { code: "nothing_to_undo" }
  | { code: "undo_expired"; seconds: number }
  | { code: "undo_tube_sealed"; tubeCode: string }
  /** Only the tube's latest registration can be undone; older ones are voided with a reason. */
  | { code: "undo_not_last" };

export function decideOpenTube(
  state: StationState,
  tubeCode: string,
  capacity: PoolSize,
  recallId?: string,
): Result<PayloadOf<"tube.opened">, StationRefusal> {
  const existing = state.tubes.get(tubeCode);
  if (existing) return err({ code: "tube_exists", tubeCode, status: existing.status });
  // A recalled resident is re-sampled alone (单采单检): a tube of one, linked to the recall.
  return ok(recallId ? { tubeCode, capacity: 1, recallId } : { tubeCode, capacity });
}

export const sameResident = (a: Resident, b: Resident): boolean =>
  a.docType === b.docType && a.docNumber === b.docNumber;

/** The refusal for a tube that takes no more changes, if it is sealed or void. */
function closedTube(tube: Tube): StationRefusal | null {
  if (tube.status === "sealed") return { code: "tube_sealed", tubeCode: tube.code };
  if (tube.status === "void") {
    return {
      code: "tube_void",
      tubeCode: tube.code,
      ...(tube.transferredTo ? { transferredTo: tube.transferredTo.tubeCode } : {}),
    };
  }
  return null;
}

/** Active registrations of this resident on the same site day as `at`, in any tube this state knows. */
export function registeredOnDay(state: StationState, resident: Resident, at: string): Registration[] {
  const day = siteDay(at);
  const found: Registration[] = [];
  for (const r of registrationsOfDocument(state, resident)) {
    if (!r.voided && siteDay(r.registeredAt) === day) found.push(r);
  }
  return found;
}

export interface RegisterOptions {
  /** Now, as the device sees it (for "already registered today"). */
  at: string;
  /** Staff's reason to sample a resident already registered today (re-sampling). */
  repeatReason?: string;
}

export function decideRegister(
  state: StationState,
  tubeCode: string,
  resident: Resident,
  registrationId: string,
  options: RegisterOptions = { at: new Date().toISOString() },
): Result<PayloadOf<"registration.added">, StationRefusal> {
  const tube = state.tubes.get(tubeCode);
  if (!tube) return err({ code: "no_such_tube", tubeCode });
  const closed = closedTube(tube);
  if (closed) return err(closed);
  const members = activeMembers(state, tubeCode);
  const twin = members.find((m) => sameResident(m.resident, resident));
  if (twin) return err({ code: "already_in_tube", tubeCode, registrationId: twin.id });
  if (members.length >= tube.capacity) return err({ code: "tube_full", tubeCode, capacity: tube.capacity });
  const repeatReason = cleanReasonText(options.repeatReason ?? "");
  const earlier = registeredOnDay(state, resident, options.at)[0];
  if (earlier && !repeatReason) {
    return err({ code: "registered_today", tubeCode: earlier.tubeCode, registeredAt: earlier.registeredAt });
  }
  const tooLong = earlier ? reasonTextProblem(repeatReason) : null;
  if (tooLong) return err(tooLong);
  return ok({ registrationId, tubeCode, resident, ...(earlier && repeatReason ? { repeatReason } : {}) });
}

export function decideVoid(
  state: StationState,
  registrationId: string,
  reason: string,
): Result<PayloadOf<"registration.voided">, StationRefusal> {
  const registration = state.registrations.get(registrationId);
  if (!registration) return err({ code: "no_such_registration", registrationId });
  if (registration.voided) return err({ code: "already_voided", registrationId });
  const tube = state.tubes.get(registration.tubeCode);
  const closed = tube ? closedTube(tube) : null;
  if (closed) return err(closed);
  const text = cleanReasonText(reason);
  const problem = reasonTextProblem(text);
  if (problem) return err(problem);
  return ok({ registrationId, tubeCode: registration.tubeCode, reason: text });
}

/** How long after a registration one tap undoes it (a wrong scan noticed at once); later it is voided with a reason. */
export const UNDO_WINDOW_MS = 10_000;
export { UNDO_REASON };

/** The last moment (epoch ms) a registration made at `registeredAt` can be undone. */
export const undoDeadline = (registeredAt: string): number => Date.parse(registeredAt) + UNDO_WINDOW_MS;

/**
 * Undo: void the tube's latest registration with the reason 撤销, only within UNDO_WINDOW_MS of registering it (by the
 * device clock, `now` in epoch ms) and while its tube is still open. The event is a normal registration.voided.
 */
export function decideUndo(
  state: StationState,
  registrationId: string,
  now: number,
): Result<PayloadOf<"registration.voided">, StationRefusal> {
  const registration = state.registrations.get(registrationId);
  if (!registration || registration.voided) return err({ code: "nothing_to_undo" });
  const tube = state.tubes.get(registration.tubeCode);
  if (!tube) return err({ code: "nothing_to_undo" });
  if (tube.status !== "open") return err({ code: "undo_tube_sealed", tubeCode: tube.code });
  if (tube.registrationIds.at(-1) !== registrationId) return err({ code: "undo_not_last" });
  if (now > undoDeadline(registration.registeredAt)) {
    return err({ code: "undo_expired", seconds: UNDO_WINDOW_MS / 1000 });
  }
  return ok({ registrationId, tubeCode: tube.code, reason: UNDO_REASON });
}

/**
 * Sealing below capacity marks the tube short and needs the staff member's explicit confirmation. `confirmedCount` is
 * the count the question showed: a confirmation given for 8/10 while scanning went on to 9/10 is asked again with the
 * new count (staff confirmed a different tube), and one that arrives at 10/10 simply seals the full tube.
 */
export function decideSeal(
  state: StationState,
  tubeCode: string,
  options: { confirmShort: boolean; confirmedCount?: number },
): Result<PayloadOf<"tube.sealed">, StationRefusal> {
  const tube = state.tubes.get(tubeCode);
  if (!tube) return err({ code: "no_such_tube", tubeCode });
  const closed = closedTube(tube);
  if (closed) return err(closed);
  const count = activeMembers(state, tubeCode).length;
  if (count === 0) return err({ code: "empty_tube", tubeCode });
  const short = count < tube.capacity;
  const confirmed = options.confirmShort && (options.confirmedCount === undefined || options.confirmedCount === count);
  if (short && !confirmed) return err({ code: "short_needs_confirmation", count, capacity: tube.capacity });
  return ok({ tubeCode, count, short });
}

/** Abandons a tube opened by mistake: it must be open and empty (people in it are voided or transferred instead). */
export function decideAbandon(
  state: StationState,
  tubeCode: string,
  reason: string,
): Result<PayloadOf<"tube.abandoned">, StationRefusal> {
  const tube = state.tubes.get(tubeCode);
  if (!tube) return err({ code: "no_such_tube", tubeCode });
  const closed = closedTube(tube);
  if (closed) return err(closed);
  const count = activeMembers(state, tubeCode).length;
  if (count > 0) return err({ code: "tube_not_empty", tubeCode, count });
  const text = reason.trim();
  if (text === "") return err({ code: "reason_required" });
  return ok({ tubeCode, reason: text });
}

/** Moves the people of a damaged tube to a new tube in one step; the old tube becomes void. */
export function decideTransfer(
  state: StationState,
  fromTubeCode: string,
  toTubeCode: string,
  reason: string,
  deviceId: string,
): Result<PayloadOf<"tube.transferred">, StationRefusal> {
  const from = state.tubes.get(fromTubeCode);
  if (!from) return err({ code: "no_such_tube", tubeCode: fromTubeCode });
  if (from.status === "void") return err(closedTube(from) as StationRefusal);
  if (from.boxCode) return err({ code: "tube_in_box", tubeCode: fromTubeCode, boxCode: from.boxCode });
  const existing = state.tubes.get(toTubeCode);
  if (existing) return err({ code: "tube_exists", tubeCode: toTubeCode, status: existing.status });
  const text = cleanReasonText(reason);
  const problem = reasonTextProblem(text);
  if (problem) return err(problem);
  const open = openTubeOfDevice(state, deviceId);
  if (open && open.code !== fromTubeCode) return err({ code: "other_tube_open", tubeCode: open.code });
  return ok({ fromTubeCode, toTubeCode, reason: text });
}

export function decideOpenBox(
  state: StationState,
  boxCode: string,
  deviceId: string,
): Result<PayloadOf<"box.opened">, StationRefusal> {
  if (state.boxes.has(boxCode)) return err({ code: "box_exists", boxCode });
  for (const box of state.boxes.values()) {
    if (box.status === "open" && box.openedByDevice === deviceId)
      return err({ code: "box_already_open", boxCode: box.code });
  }
  return ok({ boxCode });
}

/** Only sealed tubes go into an open box, and a tube into one box only. */
export function decideAddTubeToBox(
  state: StationState,
  boxCode: string,
  tubeCode: string,
): Result<PayloadOf<"box.tube_added">, StationRefusal> {
  const box = state.boxes.get(boxCode);
  if (!box) return err({ code: "no_such_box", boxCode });
  if (box.status !== "open") return err({ code: "box_not_open", boxCode, status: box.status });
  const tube = state.tubes.get(tubeCode);
  if (!tube) return err({ code: "no_such_tube", tubeCode });
  if (tube.boxCode) return err({ code: "tube_in_box", tubeCode, boxCode: tube.boxCode });
  if (tube.status === "void") return err(closedTube(tube) as StationRefusal);
  if (tube.status !== "sealed") return err({ code: "tube_not_sealed", tubeCode });
  return ok({ boxCode, tubeCode });
}

export function decideCloseBox(state: StationState, boxCode: string): Result<PayloadOf<"box.closed">, StationRefusal> {
  const box = state.boxes.get(boxCode);
  if (!box) return err({ code: "no_such_box", boxCode });
  if (box.status !== "open") return err({ code: "box_not_open", boxCode, status: box.status });
  if (box.tubeCodes.length === 0) return err({ code: "empty_box", boxCode });
  return ok({ boxCode, tubeCount: box.tubeCodes.length });
}

/** A closed box is handed to transport; from then on it is locked. */
export function decideHandover(
  state: StationState,
  boxCode: string,
  courier: { name: string; phone: string; vehiclePlate?: string; labCode?: string },
): Result<PayloadOf<"box.handed_over">, StationRefusal> {
  const box = state.boxes.get(boxCode);
  if (!box) return err({ code: "no_such_box", boxCode });
  if (box.status === "handed_over") return err({ code: "box_locked", boxCode });
  if (box.status !== "closed") return err({ code: "box_not_closed", boxCode });
  const name = courier.name.trim();
  if (!name) return err({ code: "courier_name_required" });
  const phone = validateMobile(courier.phone);
  if (!phone.ok) return err({ code: "bad_courier_phone", reason: phone.error });
  const plate = courier.vehiclePlate?.trim().toUpperCase();
  // The destination lab is optional; when given it must be a lab code (the lab then sees the box as its own).
  const lab = courier.labCode?.trim().toUpperCase();
  if (lab && !/^[A-Z0-9][A-Z0-9_-]{1,31}$/.test(lab)) return err({ code: "bad_lab_code" });
  return ok({
    boxCode,
    courierName: name,
    courierPhone: phone.value,
    ...(plate ? { vehiclePlate: plate } : {}),
    ...(lab ? { labCode: lab } : {}),
  });
}
