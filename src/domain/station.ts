/**
 * Station decisions: given the projected state, may staff open, register, void or seal? Each returns the payload of the
 * event to record, or a specific refusal. Pure: the client turns the payload into an event and stores it.
 */
import type { PayloadOf, PoolSize } from "./events";
import { activeMembers, type StationState } from "./projection";
import type { Resident } from "./residentCode";
import { err, ok, type Result } from "./result";

export type StationRefusal =
  | { code: "tube_exists"; tubeCode: string; status: "open" | "sealed" }
  | { code: "no_such_tube"; tubeCode: string }
  | { code: "tube_sealed"; tubeCode: string }
  | { code: "tube_full"; tubeCode: string; capacity: number }
  | { code: "already_in_tube"; tubeCode: string; registrationId: string }
  | { code: "no_such_registration"; registrationId: string }
  | { code: "already_voided"; registrationId: string }
  | { code: "short_needs_confirmation"; count: number; capacity: number }
  | { code: "empty_tube"; tubeCode: string };

export function decideOpenTube(
  state: StationState,
  tubeCode: string,
  capacity: PoolSize,
): Result<PayloadOf<"tube.opened">, StationRefusal> {
  const existing = state.tubes.get(tubeCode);
  if (existing) return err({ code: "tube_exists", tubeCode, status: existing.status });
  return ok({ tubeCode, capacity });
}

export const sameResident = (a: Resident, b: Resident): boolean =>
  a.docType === b.docType && a.docNumber === b.docNumber;

export function decideRegister(
  state: StationState,
  tubeCode: string,
  resident: Resident,
  registrationId: string,
): Result<PayloadOf<"registration.added">, StationRefusal> {
  const tube = state.tubes.get(tubeCode);
  if (!tube) return err({ code: "no_such_tube", tubeCode });
  if (tube.status === "sealed") return err({ code: "tube_sealed", tubeCode });
  const members = activeMembers(state, tubeCode);
  const twin = members.find((m) => sameResident(m.resident, resident));
  if (twin) return err({ code: "already_in_tube", tubeCode, registrationId: twin.id });
  if (members.length >= tube.capacity) return err({ code: "tube_full", tubeCode, capacity: tube.capacity });
  return ok({ registrationId, tubeCode, resident });
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
  if (tube?.status === "sealed") return err({ code: "tube_sealed", tubeCode: registration.tubeCode });
  return ok({ registrationId, tubeCode: registration.tubeCode, reason: reason.trim() });
}

/** Sealing below capacity marks the tube short and needs the staff member's explicit confirmation. */
export function decideSeal(
  state: StationState,
  tubeCode: string,
  options: { confirmShort: boolean },
): Result<PayloadOf<"tube.sealed">, StationRefusal> {
  const tube = state.tubes.get(tubeCode);
  if (!tube) return err({ code: "no_such_tube", tubeCode });
  if (tube.status === "sealed") return err({ code: "tube_sealed", tubeCode });
  const count = activeMembers(state, tubeCode).length;
  if (count === 0) return err({ code: "empty_tube", tubeCode });
  const short = count < tube.capacity;
  if (short && !options.confirmShort) return err({ code: "short_needs_confirmation", count, capacity: tube.capacity });
  return ok({ tubeCode, count, short });
}
