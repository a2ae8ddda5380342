/**
 * The pure projection from events to state: tubes with their members and status.
 * Events are facts that already happened on some device, so the projection never refuses one; an event that does not
 * fit (a registration into an unknown tube, say) is kept as an anomaly for the conflict views to show.
 */
import type { PoolSize, SampleEvent } from "./events";
import type { Resident } from "./residentCode";

export interface Registration {
  id: string;
  tubeCode: string;
  resident: Resident;
  registeredAt: string;
  deviceId: string;
  staffId: string;
  eventId: string;
  voided?: { reason: string; at: string };
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
  transferredTo?: { tubeCode: string; reason: string; at: string };
  transferredFrom?: string;
  boxCode?: string;
}

export type BoxStatus = "open" | "closed" | "handed_over";

export interface Box {
  code: string;
  status: BoxStatus;
  openedAt: string;
  openedByDevice: string;
  tubeCodes: string[];
  closed?: { at: string; tubeCount: number };
  handover?: { at: string; courierName: string; courierPhone: string; vehiclePlate?: string };
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
    | "box_locked";
}

export interface StationState {
  tubes: Map<string, Tube>;
  registrations: Map<string, Registration>;
  /** Registrations by document ("docType:docNumber"), so a resident's earlier registrations are found without a scan. */
  registrationsByDocument: Map<string, Registration[]>;
  boxes: Map<string, Box>;
  anomalies: Anomaly[];
}

export const documentKey = (resident: Pick<Resident, "docType" | "docNumber">): string =>
  `${resident.docType}:${resident.docNumber}`;

export const emptyState = (): StationState => ({
  tubes: new Map(),
  registrations: new Map(),
  registrationsByDocument: new Map(),
  boxes: new Map(),
  anomalies: [],
});

/** Applies one event to a state the caller owns (use `project` for a fresh state). */
export function applyEvent(state: StationState, event: SampleEvent): void {
  switch (event.type) {
    case "tube.opened": {
      if (state.tubes.has(event.payload.tubeCode)) {
        state.anomalies.push({ eventId: event.id, problem: "tube_reopened" });
        return;
      }
      state.tubes.set(event.payload.tubeCode, {
        code: event.payload.tubeCode,
        capacity: event.payload.capacity,
        status: "open",
        openedAt: event.occurredAt,
        openedByDevice: event.deviceId,
        registrationIds: [],
      });
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
        eventId: event.id,
        ...(event.payload.repeatReason ? { repeatReason: event.payload.repeatReason } : {}),
      };
      state.registrations.set(registration.id, registration);
      const key = documentKey(registration.resident);
      const sameDocument = state.registrationsByDocument.get(key);
      if (sameDocument) sameDocument.push(registration);
      else state.registrationsByDocument.set(key, [registration]);
      return;
    }
    case "registration.voided": {
      const registration = state.registrations.get(event.payload.registrationId);
      if (!registration) {
        state.anomalies.push({ eventId: event.id, problem: "unknown_registration" });
        return;
      }
      registration.voided = { reason: event.payload.reason, at: event.occurredAt };
      return;
    }
    case "tube.sealed": {
      const tube = state.tubes.get(event.payload.tubeCode);
      if (!tube) {
        state.anomalies.push({ eventId: event.id, problem: "unknown_tube" });
        return;
      }
      tube.status = "sealed";
      tube.sealed = { at: event.occurredAt, count: event.payload.count, short: event.payload.short };
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
      state.tubes.set(event.payload.toTubeCode, {
        code: event.payload.toTubeCode,
        capacity: from.capacity,
        status: "open",
        openedAt: event.occurredAt,
        openedByDevice: event.deviceId,
        registrationIds: moving.map((r) => r.id),
        transferredFrom: from.code,
      });
      from.registrationIds = from.registrationIds.filter((id) => !moving.some((r) => r.id === id));
      from.status = "void";
      from.transferredTo = { tubeCode: event.payload.toTubeCode, reason: event.payload.reason, at: event.occurredAt };
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
      box.status = "handed_over";
      const { courierName, courierPhone, vehiclePlate } = event.payload;
      box.handover = { at: event.occurredAt, courierName, courierPhone, ...(vehiclePlate ? { vehiclePlate } : {}) };
      return;
    }
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
  let found: Box | undefined;
  for (const box of state.boxes.values()) {
    if (box.status === "open" && box.openedByDevice === deviceId) found = box;
  }
  return found;
}

/** The open tube this device is filling, if any (the most recently opened one). */
export function openTubeOfDevice(state: StationState, deviceId: string): Tube | undefined {
  let found: Tube | undefined;
  for (const tube of state.tubes.values()) {
    if (tube.status === "open" && tube.openedByDevice === deviceId) found = tube;
  }
  return found;
}
