/**
 * A projected state as plain JSON, so a device can start from it instead of re-reading a whole day of events.
 * Registrations are stored as short rows (devices and staff interned). Each tube's registration list and the indexes
 * (by document, open tubes and boxes, day counters) are rebuilt on restore, so they cannot drift from what
 * `applyEvent` would have built.
 */
import {
  type Anomaly,
  type Box,
  countersOfDay,
  type DayCounts,
  emptyState,
  indexByDocument,
  type Registration,
  type StationState,
  type Tube,
} from "./projection";
import { siteDay } from "./siteDay";

/** Bump when the projection or this format changes: an older snapshot is then ignored and the events re-projected. */
export const SNAPSHOT_FORMAT = 1;

/**
 * [id, tubeCode, name, docType, docNumber, registeredAt, device, staff, voided?, repeatReason?, phone?, community?]
 * with device and staff interned: arrays, because a day's snapshot holds 100,000 of them.
 */
type RegistrationRow = [
  string,
  string,
  string,
  Registration["resident"]["docType"],
  string,
  string,
  number,
  number,
  Registration["voided"] | 0,
  string | 0,
  string | 0,
  string | 0,
];

export interface StateSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  names: string[];
  /** Without `registrationIds`: those are the registrations naming the tube, in order, and are rebuilt. */
  tubes: Omit<Tube, "registrationIds">[];
  registrations: RegistrationRow[];
  boxes: Box[];
  anomalies: Anomaly[];
}

export function snapshotOf(state: StationState): StateSnapshot {
  const names: string[] = [];
  const index = new Map<string, number>();
  const intern = (name: string) => {
    let i = index.get(name);
    if (i === undefined) {
      i = names.push(name) - 1;
      index.set(name, i);
    }
    return i;
  };
  const registrations: RegistrationRow[] = [];
  for (const r of state.registrations.values()) {
    const { name, docType, docNumber, phone, community } = r.resident;
    registrations.push([
      r.id,
      r.tubeCode,
      name,
      docType,
      docNumber,
      r.registeredAt,
      intern(r.deviceId),
      intern(r.staffId),
      r.voided ?? 0,
      r.repeatReason ?? 0,
      phone ?? 0,
      community ?? 0,
    ]);
  }
  return {
    format: SNAPSHOT_FORMAT,
    names,
    tubes: [...state.tubes.values()].map(({ registrationIds, ...tube }) => tube),
    registrations,
    boxes: [...state.boxes.values()],
    anomalies: state.anomalies,
  };
}

/** The state a snapshot was taken of, indexes included; null for a snapshot of another format. */
export function restoreState(snapshot: StateSnapshot): StationState | null {
  if (snapshot?.format !== SNAPSHOT_FORMAT) return null;
  const state = emptyState();
  const { names } = snapshot;
  const dayOf = new Map<string, string>();
  // Parsing 100,000 times would dominate the restore. The day of a UTC time ("…Z") depends only on its hour, as the
  // site's offset is whole hours; other forms are parsed each time.
  const day = (at: string) => {
    const key = at.length === 24 && at.endsWith("Z") ? at.slice(0, 13) : at;
    let d = dayOf.get(key);
    if (d === undefined) {
      d = siteDay(at);
      dayOf.set(key, d);
    }
    return d;
  };
  const counts = (at: string): DayCounts => countersOfDay(state, day(at));
  for (const saved of snapshot.tubes) {
    const tube: Tube = { ...saved, registrationIds: [] };
    state.tubes.set(tube.code, tube);
    if (tube.status === "open") addTo(state.openTubesByDevice, tube.openedByDevice, tube.code);
    if (tube.status !== "void") {
      const c = counts(tube.openedAt).tubesByDevice;
      c.set(tube.openedByDevice, (c.get(tube.openedByDevice) ?? 0) + 1);
    }
  }
  // A day's 100,000 rows: plain assignments and local tallies, as this loop is most of a start.
  const byDevice = new Map<DayCounts, number[]>();
  for (const row of snapshot.registrations) {
    const [id, tubeCode, name, docType, docNumber, registeredAt, device, staff, voided, repeatReason] = row;
    const resident: Registration["resident"] = { name, docType, docNumber };
    if (row[10]) resident.phone = row[10];
    if (row[11]) resident.community = row[11];
    const registration: Registration = {
      id,
      tubeCode,
      resident,
      registeredAt,
      deviceId: names[device] as string,
      staffId: names[staff] as string,
    };
    if (voided) registration.voided = voided;
    if (repeatReason) registration.repeatReason = repeatReason;
    state.registrations.set(id, registration);
    state.tubes.get(tubeCode)?.registrationIds.push(id);
    indexByDocument(state, registration);
    if (!voided) {
      const c = counts(registeredAt);
      c.registrations++;
      let tally = byDevice.get(c);
      if (!tally) {
        tally = [];
        byDevice.set(c, tally);
      }
      tally[device] = (tally[device] ?? 0) + 1;
    }
  }
  for (const [c, tally] of byDevice) {
    tally.forEach((n, device) => {
      const deviceId = names[device] as string;
      c.registrationsByDevice.set(deviceId, (c.registrationsByDevice.get(deviceId) ?? 0) + n);
    });
  }
  for (const box of snapshot.boxes) {
    state.boxes.set(box.code, box);
    if (box.status === "open") addTo(state.openBoxesByDevice, box.openedByDevice, box.code);
  }
  state.anomalies = snapshot.anomalies;
  return state;
}

function addTo(index: Map<string, Set<string>>, key: string, code: string): void {
  const set = index.get(key);
  if (set) set.add(code);
  else index.set(key, new Set([code]));
}
