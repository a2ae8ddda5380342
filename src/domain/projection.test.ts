import { describe, expect, it } from "vitest";
import { countsOfDay, openBoxOfDevice, openTubeOfDevice, project, type StationState } from "./projection";
import { siteDay } from "./siteDay";
import { randomEvents } from "./testEvents";

/** The same answers by brute force over the whole state: what the indexes must always equal. */
function bruteForce(state: StationState, deviceId: string, day: string) {
  let openTube: string | undefined;
  for (const tube of state.tubes.values())
    if (tube.status === "open" && tube.openedByDevice === deviceId) openTube = tube.code;
  let openBox: string | undefined;
  for (const box of state.boxes.values())
    if (box.status === "open" && box.openedByDevice === deviceId) openBox = box.code;
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
  return { openTube, openBox, counts: { deviceRegistrations, deviceTubes, siteRegistrations } };
}

describe("projection indexes (open tube and box per device, day counters)", () => {
  it("always equal a brute-force recomputation, over 300 random event sequences", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const events = randomEvents(seed, 120);
      // Check at several points of the stream, not only at its end.
      for (const upTo of [10, 40, 80, 120]) {
        const state = project(events.slice(0, upTo));
        for (const deviceId of ["device-a", "device-b", "device-c"]) {
          for (const day of ["2026-11-29", "2026-11-30"]) {
            const expected = bruteForce(state, deviceId, day);
            const actual = {
              openTube: openTubeOfDevice(state, deviceId)?.code,
              openBox: openBoxOfDevice(state, deviceId)?.code,
              counts: countsOfDay(state, day, deviceId),
            };
            expect(actual, `seed ${seed}, ${upTo} events, ${deviceId}, ${day}`).toEqual(expected);
          }
        }
      }
    }
  });
});
