/** History search and today's counters over the projected state. */
import { activeMembers, type Registration, type StationState, type Tube } from "../../domain/projection";
import { siteDay } from "../../domain/station";

export interface TubeWithMembers {
  tube: Tube;
  members: Registration[];
}

/**
 * Tubes whose code contains the query, or holding a resident whose document number starts with it (or equals it,
 * upper-cased); newest first. An empty query lists the newest tubes.
 */
export function searchTubes(state: StationState, query: string, limit: number): TubeWithMembers[] {
  const q = query.trim().toUpperCase();
  const found: TubeWithMembers[] = [];
  const tubes = [...state.tubes.values()].sort((a, b) =>
    a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : 0,
  );
  for (const tube of tubes) {
    const members = activeMembers(state, tube.code);
    const matches = q === "" || tube.code.includes(q) || members.some((m) => m.resident.docNumber.startsWith(q));
    if (matches) found.push({ tube, members });
    if (found.length >= limit) break;
  }
  return found;
}

export interface TodayCounters {
  deviceRegistrations: number;
  deviceTubes: number;
  siteRegistrations: number;
}

export function todayCounters(state: StationState, deviceId: string, now = new Date().toISOString()): TodayCounters {
  const day = siteDay(now);
  let deviceRegistrations = 0;
  let siteRegistrations = 0;
  for (const r of state.registrations.values()) {
    if (r.voided || siteDay(r.registeredAt) !== day) continue;
    siteRegistrations++;
    if (r.deviceId === deviceId) deviceRegistrations++;
  }
  let deviceTubes = 0;
  for (const tube of state.tubes.values()) {
    if (tube.openedByDevice === deviceId && tube.status !== "void" && siteDay(tube.openedAt) === day) deviceTubes++;
  }
  return { deviceRegistrations, deviceTubes, siteRegistrations };
}
