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
export const SNAPSHOT_FORMAT = 3;

/**
 * Registrations by column, in the order they were added: a day's snapshot holds 100,000 of them, and a few long arrays
 * parse and restore much faster than 100,000 small objects. Devices and staff are interned in `names`, tubes are
 * indexes into `tubes`; optional columns are absent when no registration has the field, and hold 0 where one lacks it.
 */
export interface RegistrationColumns {
  id: string[];
  tube: number[];
  name: string[];
  docType: Registration["resident"]["docType"][];
  docNumber: string[];
  registeredAt: string[];
  device: number[];
  staff: number[];
  voided?: (Registration["voided"] | 0)[];
  repeatReason?: (string | 0)[];
  phone?: (string | 0)[];
  community?: (string | 0)[];
}

export interface StateSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  names: string[];
  /** Without `registrationIds`: those are the registrations naming the tube, in order, and are rebuilt. */
  tubes: Omit<Tube, "registrationIds">[];
  registrations: RegistrationColumns;
  boxes: Box[];
  anomalies: Anomaly[];
}

type OptionalColumn = "voided" | "repeatReason" | "phone" | "community";

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
  const tubeIndex = new Map<string, number>();
  const tubes = [...state.tubes.values()].map(({ registrationIds, ...tube }, i) => {
    tubeIndex.set(tube.code, i);
    return tube;
  });
  const columns: RegistrationColumns = {
    id: [],
    tube: [],
    name: [],
    docType: [],
    docNumber: [],
    registeredAt: [],
    device: [],
    staff: [],
  };
  const optional: Record<OptionalColumn, unknown[]> = { voided: [], repeatReason: [], phone: [], community: [] };
  const present = new Set<OptionalColumn>();
  const put = (column: OptionalColumn, value: unknown) => {
    optional[column].push(value ?? 0);
    if (value !== undefined) present.add(column);
  };
  for (const r of state.registrations.values()) {
    const tube = tubeIndex.get(r.tubeCode);
    // Every registration names a known tube (the projection makes it so); an unknown one would fail the restore.
    if (tube === undefined) throw new Error(`registration ${r.id} names unknown tube ${r.tubeCode}`);
    columns.id.push(r.id);
    columns.tube.push(tube);
    columns.name.push(r.resident.name);
    columns.docType.push(r.resident.docType);
    columns.docNumber.push(r.resident.docNumber);
    columns.registeredAt.push(r.registeredAt);
    columns.device.push(intern(r.deviceId));
    columns.staff.push(intern(r.staffId));
    put("voided", r.voided);
    put("repeatReason", r.repeatReason);
    put("phone", r.resident.phone);
    put("community", r.resident.community);
  }
  for (const column of present) Object.assign(columns, { [column]: optional[column] });
  return {
    format: SNAPSHOT_FORMAT,
    names,
    tubes,
    registrations: columns,
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
  const tubes: Tube[] = [];
  for (const saved of snapshot.tubes) {
    const tube: Tube = { ...saved, registrationIds: [] };
    tubes.push(tube);
    state.tubes.set(tube.code, tube);
    state.tubeLog.push(tube);
    if (tube.status === "open") addTo(state.openTubesByDevice, tube.openedByDevice, tube.code);
    if (tube.status !== "void") {
      const c = counts(tube.openedAt).tubesByDevice;
      c.set(tube.openedByDevice, (c.get(tube.openedByDevice) ?? 0) + 1);
    }
  }
  // A day's 100,000 registrations: plain assignments and local tallies, as this loop is most of a start.
  const columns = snapshot.registrations;
  const byDevice = new Map<DayCounts, number[]>();
  for (let i = 0; i < columns.id.length; i++) {
    const id = columns.id[i] as string;
    const tube = tubes[columns.tube[i] as number] as Tube;
    const device = columns.device[i] as number;
    const registeredAt = columns.registeredAt[i] as string;
    const resident: Registration["resident"] = {
      name: columns.name[i] as string,
      docType: columns.docType[i] as Registration["resident"]["docType"],
      docNumber: columns.docNumber[i] as string,
    };
    const phone = columns.phone?.[i];
    if (phone) resident.phone = phone;
    const community = columns.community?.[i];
    if (community) resident.community = community;
    const registration: Registration = {
      id,
      tubeCode: tube.code,
      resident,
      registeredAt,
      deviceId: names[device] as string,
      staffId: names[columns.staff[i] as number] as string,
    };
    const voided = columns.voided?.[i];
    if (voided) registration.voided = voided;
    const repeatReason = columns.repeatReason?.[i];
    if (repeatReason) registration.repeatReason = repeatReason;
    state.registrations.set(id, registration);
    state.registrationLog.push(registration);
    tube.registrationIds.push(id);
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
