/** History search and today's counters over the projected state. */
import { activeMembers, countsOfDay, type Registration, type StationState, type Tube } from "../../domain/projection";
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

export const todayCounters = (state: StationState, deviceId: string, now = new Date().toISOString()): TodayCounters =>
  countsOfDay(state, siteDay(now), deviceId);
