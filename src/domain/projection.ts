/**
 * The pure projection from events to state: tubes with their members and status.
 * Events are facts that already happened on some device, so the projection never refuses one; an event that does not
 * fit (a registration into an unknown tube, say) is kept as an anomaly for the conflict views to show.
 */
import type { PoolSize, SampleEvent } from "./events";
import type { Resident } from "./residentCode";
import { siteDay } from "./siteDay";

export interface Registration {
  id: string;
  tubeCode: string;
  resident: Resident;
  registeredAt: string;
  deviceId: string;
  staffId: string;
  /** Who voided it (staff id), when and why: the history shows it. */
  voided?: { reason: string; at: string; staffId: string };
  repeatReason?: string;
}

/** "void": a damaged tube whose people were transferred to another tube. */
export type TubeStatus = "open" | "sealed" | "void";

export interface Tube {
  code: string;
  capacity: PoolSize;
  status: TubeStatus;
  openedAt: string;
  openedByDevice: string;
  /** Registration ids in the order they were added, voided ones included. */
  registrationIds: string[];
  sealed?: { at: string; count: number; short: boolean };
  transferredTo?: { tubeCode: string; reason: string; at: string; staffId: string };
  transferredFrom?: string;
  /** Abandoned while empty (opened by mistake): void, with why, when and by whom. */
  abandoned?: { reason: string; at: string; staffId: string };
  boxCode?: string;
  /** A single-person tube of a recalled resident: the recall entry it re-samples. */
  recallId?: string;
}

export type BoxStatus = "open" | "closed" | "handed_over";

export interface Box {
  code: string;
  status: BoxStatus;
  openedAt: string;
  openedByDevice: string;
  tubeCodes: string[];
  closed?: { at: string; tubeCount: number };
  handover?: { at: string; staffId: string; courierName: string; courierPhone: string; vehiclePlate?: string };
}

export interface Anomaly {
  eventId: string;
  problem:
    | "unknown_tube"
    | "unknown_registration"
    | "tube_reopened"
    | "added_to_sealed_tube"
    | "unknown_box"
    | "box_reopened"
    | "tube_in_two_boxes"
    | "box_locked"
    | "void_tube_changed"
    | "abandoned_with_members";
}

export interface StationState {
  tubes: Map<string, Tube>;
  registrations: Map<string, Registration>;
  /**
   * Registrations by document number (one, or several in order), so a resident's earlier registrations are found
   * without a scan. Keyed by the number alone and single values unwrapped: a day holds 100,000 of them. Read it
   * through `registrationsOfDocument`.
   */
  registrationsByDocument: Map<string, Registration | Registration[]>;
  boxes: Map<string, Box>;
  anomalies: Anomaly[];
  /** Open tubes (and boxes) per device in opening order, so "this device's open tube" needs no scan of the day. */
  openTubesByDevice: Map<string, Set<string>>;
  openBoxesByDevice: Map<string, Set<string>>;
  /** Counters per site day (China time), kept as events are applied, so the screen's counters cost nothing. */
  days: Map<string, DayCounts>;
  /**
   * Tubes and registrations in the order they were applied (append-only), so an index kept on the side (the history
   * search) catches up by reading only what is new.
   */
  tubeLog: Tube[];
  registrationLog: Registration[];
}

export interface DayCounts {
  /** Active (not voided) registrations registered on this day, at the site and per device. */
  registrations: number;
  registrationsByDevice: Map<string, number>;
  /** Tubes opened on this day per device, void (transferred) tubes excluded. */
  tubesByDevice: Map<string, number>;
}

/**
 * The tube an event seals or abandons, or undefined with the anomaly recorded: unknown, or void (its people moved to
 * another tube, or it was abandoned; a void tube stays void).
 */
function changeableTube(state: StationState, event: SampleEvent, code: string): Tube | undefined {
  const tube = state.tubes.get(code);
  if (!tube) state.anomalies.push({ eventId: event.id, problem: "unknown_tube" });
  else if (tube.status === "void") state.anomalies.push({ eventId: event.id, problem: "void_tube_changed" });
  else return tube;
  return undefined;
}

/** Adds a registration to the by-document index. */
export function indexByDocument(state: StationState, registration: Registration): void {
  const key = registration.resident.docNumber;
  const same = state.registrationsByDocument.get(key);
  if (same === undefined) state.registrationsByDocument.set(key, registration);
  else if (Array.isArray(same)) same.push(registration);
  else state.registrationsByDocument.set(key, [same, registration]);
}

/** Every registration of this document (type and number), voided ones included, in the order they were added. */
export function registrationsOfDocument(
  state: StationState,
  resident: Pick<Resident, "docType" | "docNumber">,
): Registration[] {
  const found = state.registrationsByDocument.get(resident.docNumber);
  const all = found === undefined ? [] : Array.isArray(found) ? found : [found];
  return all.filter((r) => r.resident.docType === resident.docType);
}

export const emptyState = (): StationState => ({
  tubes: new Map(),
  registrations: new Map(),
  registrationsByDocument: new Map(),
  boxes: new Map(),
  anomalies: [],
  openTubesByDevice: new Map(),
  openBoxesByDevice: new Map(),
  days: new Map(),
  tubeLog: [],
  registrationLog: [],
});

/** The counters of a site day ("2026-11-29"), created empty on first use. */
export function countersOfDay(state: StationState, day: string): DayCounts {
  let counts = state.days.get(day);
  if (!counts) {
    counts = { registrations: 0, registrationsByDevice: new Map(), tubesByDevice: new Map() };
    state.days.set(day, counts);
  }
  return counts;
}

const dayCounts = (state: StationState, at: string) => countersOfDay(state, siteDay(at));

const bump = (map: Map<string, number>, key: string, by: number) => map.set(key, (map.get(key) ?? 0) + by);

function countRegistration(state: StationState, registration: Registration, by: 1 | -1): void {
  const counts = dayCounts(state, registration.registeredAt);
  counts.registrations += by;
  bump(counts.registrationsByDevice, registration.deviceId, by);
}

const countTube = (state: StationState, tube: Tube, by: 1 | -1) =>
  bump(dayCounts(state, tube.openedAt).tubesByDevice, tube.openedByDevice, by);

function markOpen(index: Map<string, Set<string>>, deviceId: string, code: string): void {
  const codes = index.get(deviceId);
  if (codes) codes.add(code);
  else index.set(deviceId, new Set([code]));
}

const markClosed = (index: Map<string, Set<string>>, deviceId: string, code: string) =>
  index.get(deviceId)?.delete(code);

/** The last-opened code still open on this device. */
function lastOpen(index: Map<string, Set<string>>, deviceId: string): string | undefined {
  let last: string | undefined;
  for (const code of index.get(deviceId) ?? []) last = code;
  return last;
}

/** Applies one event to a state the caller owns (use `project` for a fresh state). */
export function applyEvent(state: StationState, event: SampleEvent): void {
  switch (event.type) {
    case "tube.opened": {
      if (state.tubes.has(event.payload.tubeCode)) {
        state.anomalies.push({ eventId: event.id, problem: "tube_reopened" });
        return;
      }
      const tube: Tube = {
        code: event.payload.tubeCode,
        capacity: event.payload.capacity,
        status: "open",
        openedAt: event.occurredAt,
        openedByDevice: event.deviceId,
        registrationIds: [],
        ...(event.payload.recallId ? { recallId: event.payload.recallId } : {}),
      };
      state.tubes.set(tube.code, tube);
      state.tubeLog.push(tube);
      markOpen(state.openTubesByDevice, tube.openedByDevice, tube.code);
      countTube(state, tube, 1);
      return;
    }
    case "registration.added": {
      const tube = state.tubes.get(event.payload.tubeCode);
      if (!tube) {
        state.anomalies.push({ eventId: event.id, problem: "unknown_tube" });
        return;
      }
      if (tube.status === "sealed") state.anomalies.push({ eventId: event.id, problem: "added_to_sealed_tube" });
      tube.registrationIds.push(event.payload.registrationId);
      const registration: Registration = {
        id: event.payload.registrationId,
        tubeCode: tube.code,
        resident: event.payload.resident,
        registeredAt: event.occurredAt,
        deviceId: event.deviceId,
        staffId: event.staffId,
        ...(event.payload.repeatReason ? { repeatReason: event.payload.repeatReason } : {}),
      };
      state.registrations.set(registration.id, registration);
      state.registrationLog.push(registration);
      countRegistration(state, registration, 1);
      indexByDocument(state, registration);
      return;
    }
    case "registration.voided": {
      const registration = state.registrations.get(event.payload.registrationId);
      if (!registration) {
        state.anomalies.push({ eventId: event.id, problem: "unknown_registration" });
        return;
      }
      if (!registration.voided) countRegistration(state, registration, -1);
      registration.voided = { reason: event.payload.reason, at: event.occurredAt, staffId: event.staffId };
      return;
    }
    case "tube.sealed": {
      const tube = changeableTube(state, event, event.payload.tubeCode);
      if (!tube) return;
      if (tube.status === "open") markClosed(state.openTubesByDevice, tube.openedByDevice, tube.code);
      tube.status = "sealed";
      tube.sealed = { at: event.occurredAt, count: event.payload.count, short: event.payload.short };
      return;
    }
    case "tube.abandoned": {
      const tube = changeableTube(state, event, event.payload.tubeCode);
      if (!tube) return;
      // Only an empty tube is abandoned (the station decides so); one with people stays as it is.
      if (activeMembers(state, tube.code).length > 0) {
        state.anomalies.push({ eventId: event.id, problem: "abandoned_with_members" });
        return;
      }
      if (tube.status === "open") markClosed(state.openTubesByDevice, tube.openedByDevice, tube.code);
      countTube(state, tube, -1);
      tube.status = "void";
      tube.abandoned = { reason: event.payload.reason, at: event.occurredAt, staffId: event.staffId };
      return;
    }
    case "tube.transferred": {
      const from = state.tubes.get(event.payload.fromTubeCode);
      if (!from) {
        state.anomalies.push({ eventId: event.id, problem: "unknown_tube" });
        return;
      }
      if (state.tubes.has(event.payload.toTubeCode)) {
        state.anomalies.push({ eventId: event.id, problem: "tube_reopened" });
        return;
      }
      const moving = activeMembers(state, from.code);
      for (const registration of moving) registration.tubeCode = event.payload.toTubeCode;
      const to: Tube = {
        code: event.payload.toTubeCode,
        capacity: from.capacity,
        status: "open",
        openedAt: event.occurredAt,
        openedByDevice: event.deviceId,
        registrationIds: moving.map((r) => r.id),
        transferredFrom: from.code,
      };
      state.tubes.set(to.code, to);
      state.tubeLog.push(to);
      markOpen(state.openTubesByDevice, to.openedByDevice, to.code);
      countTube(state, to, 1);
      const moved = new Set(moving.map((r) => r.id));
      from.registrationIds = from.registrationIds.filter((id) => !moved.has(id));
      if (from.status === "open") markClosed(state.openTubesByDevice, from.openedByDevice, from.code);
      if (from.status !== "void") countTube(state, from, -1);
      from.status = "void";
      from.transferredTo = {
        tubeCode: event.payload.toTubeCode,
        reason: event.payload.reason,
        at: event.occurredAt,
        staffId: event.staffId,
      };
      return;
    }
    case "box.opened": {
      if (state.boxes.has(event.payload.boxCode)) {
        state.anomalies.push({ eventId: event.id, problem: "box_reopened" });
        return;
      }
      state.boxes.set(event.payload.boxCode, {
        code: event.payload.boxCode,
        status: "open",
        openedAt: event.occurredAt,
        openedByDevice: event.deviceId,
        tubeCodes: [],
      });
      markOpen(state.openBoxesByDevice, event.deviceId, event.payload.boxCode);
      return;
    }
    case "box.tube_added": {
      const box = state.boxes.get(event.payload.boxCode);
      const tube = state.tubes.get(event.payload.tubeCode);
      if (!box || !tube) {
        state.anomalies.push({ eventId: event.id, problem: box ? "unknown_tube" : "unknown_box" });
        return;
      }
      if (box.status === "handed_over") state.anomalies.push({ eventId: event.id, problem: "box_locked" });
      if (tube.boxCode && tube.boxCode !== box.code) {
        state.anomalies.push({ eventId: event.id, problem: "tube_in_two_boxes" });
        return;
      }
      if (!box.tubeCodes.includes(tube.code)) box.tubeCodes.push(tube.code);
      tube.boxCode = box.code;
      return;
    }
    case "box.closed": {
      const box = state.boxes.get(event.payload.boxCode);
      if (!box) {
        state.anomalies.push({ eventId: event.id, problem: "unknown_box" });
        return;
      }
      if (box.status === "handed_over") {
        state.anomalies.push({ eventId: event.id, problem: "box_locked" });
        return;
      }
      markClosed(state.openBoxesByDevice, box.openedByDevice, box.code);
      box.status = "closed";
      box.closed = { at: event.occurredAt, tubeCount: event.payload.tubeCount };
      return;
    }
    case "box.handed_over": {
      const box = state.boxes.get(event.payload.boxCode);
      if (!box) {
        state.anomalies.push({ eventId: event.id, problem: "unknown_box" });
        return;
      }
      markClosed(state.openBoxesByDevice, box.openedByDevice, box.code);
      box.status = "handed_over";
      const { courierName, courierPhone, vehiclePlate } = event.payload;
      box.handover = {
        at: event.occurredAt,
        staffId: event.staffId,
        courierName,
        courierPhone,
        ...(vehiclePlate ? { vehiclePlate } : {}),
      };
      return;
    }
    case "quarantine.resolved":
      // A decision about an event the server rejected: the device leaves that event out of its state (it re-projects);
      // nothing to apply here.
      return;
  }
}

export function project(events: Iterable<SampleEvent>): StationState {
  const state = emptyState();
  for (const event of events) applyEvent(state, event);
  return state;
}

/** The tube's members that are not voided, in registration order. */
export function activeMembers(state: StationState, tubeCode: string): Registration[] {
  const tube = state.tubes.get(tubeCode);
  if (!tube) return [];
  return tube.registrationIds
    .map((id) => state.registrations.get(id))
    .filter((r): r is Registration => r !== undefined && !r.voided);
}

/** The open box this device is packing, if any. */
export function openBoxOfDevice(state: StationState, deviceId: string): Box | undefined {
  const code = lastOpen(state.openBoxesByDevice, deviceId);
  return code === undefined ? undefined : state.boxes.get(code);
}

/** The open tube this device is filling, if any (the most recently opened one). */
export function openTubeOfDevice(state: StationState, deviceId: string): Tube | undefined {
  const code = lastOpen(state.openTubesByDevice, deviceId);
  return code === undefined ? undefined : state.tubes.get(code);
}

/** Counters of one site day (zeros for a day with no events). */
export function countsOfDay(state: StationState, day: string, deviceId: string) {
  const counts = state.days.get(day);
  return {
    deviceRegistrations: counts?.registrationsByDevice.get(deviceId) ?? 0,
    deviceTubes: counts?.tubesByDevice.get(deviceId) ?? 0,
    siteRegistrations: counts?.registrations ?? 0,
  };
}
