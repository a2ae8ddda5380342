import { describe, expect, it } from "vitest";
import { applyEvent, countsOfDay, openBoxOfDevice, openTubeOfDevice, project, type StationState } from "./projection";
import { restoreState, SNAPSHOT_FORMAT, snapshotOf } from "./stateSnapshot";
import { registeredOnDay } from "./station";
import { randomEvents } from "./testEvents";

const viaJson = (state: StationState) => {
  const restored = restoreState(JSON.parse(JSON.stringify(snapshotOf(state))));
  if (!restored) throw new Error("snapshot not restored");
  return restored;
};

/** Everything the station asks of a state. */
function answers(state: StationState) {
  const out: unknown[] = [
    snapshotOf(state),
    [...state.tubes.values()].map((t) => [t.code, t.registrationIds]),
    // The append-only logs the history index catches up from.
    state.tubeLog.map((t) => t.code),
    state.registrationLog.map((r) => r.id),
  ];
  for (const deviceId of ["device-a", "device-b", "device-c"]) {
    out.push(openTubeOfDevice(state, deviceId)?.code, openBoxOfDevice(state, deviceId)?.code);
    for (const day of ["2026-11-29", "2026-11-30"]) out.push(countsOfDay(state, day, deviceId));
  }
  for (let n = 0; n < 20; n++) {
    const resident = { name: "居民", docType: "PP" as const, docNumber: `E${n}` };
    out.push(registeredOnDay(state, resident, "2026-11-29T15:55:00.000Z").map((r) => r.id));
  }
  return out;
}

describe("state snapshots", () => {
  it("restore to a state that answers as the projection did, and keeps answering alike as events follow (200 seeds)", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const events = randomEvents(seed, 150);
      const cut = 20 + (seed % 100);
      const projected = project(events.slice(0, cut));
      const restored = viaJson(projected);
      expect(answers(restored), `seed ${seed} at ${cut}`).toEqual(answers(projected));
      for (const event of events.slice(cut)) {
        applyEvent(projected, event);
        applyEvent(restored, event);
      }
      expect(answers(restored), `seed ${seed} after the tail`).toEqual(answers(projected));
    }
  });

  it("ignores a snapshot of another format", () => {
    const snapshot = { ...snapshotOf(project(randomEvents(1, 30))), format: SNAPSHOT_FORMAT + 1 };
    expect(restoreState(snapshot as never)).toBeNull();
    expect(restoreState(undefined as never)).toBeNull();
  });
});
