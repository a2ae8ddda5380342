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
}

export type TubeStatus = "open" | "sealed";

export interface Tube {
  code: string;
  capacity: PoolSize;
  status: TubeStatus;
  openedAt: string;
  openedByDevice: string;
  /** Registration ids in the order they were added, voided ones included. */
  registrationIds: string[];
  sealed?: { at: string; count: number; short: boolean };
}

export interface Anomaly {
  eventId: string;
  problem: "unknown_tube" | "unknown_registration" | "tube_reopened" | "added_to_sealed_tube";
}

export interface StationState {
  tubes: Map<string, Tube>;
  registrations: Map<string, Registration>;
  anomalies: Anomaly[];
}

export const emptyState = (): StationState => ({ tubes: new Map(), registrations: new Map(), anomalies: [] });

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
      state.registrations.set(event.payload.registrationId, {
        id: event.payload.registrationId,
        tubeCode: tube.code,
        resident: event.payload.resident,
        registeredAt: event.occurredAt,
        deviceId: event.deviceId,
        staffId: event.staffId,
        eventId: event.id,
      });
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

/** The open tube this device is filling, if any (the most recently opened one). */
export function openTubeOfDevice(state: StationState, deviceId: string): Tube | undefined {
  let found: Tube | undefined;
  for (const tube of state.tubes.values()) {
    if (tube.status === "open" && tube.openedByDevice === deviceId) found = tube;
  }
  return found;
}
