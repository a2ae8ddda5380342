import { describe, expect, it } from "vitest";
import type { SampleEvent } from "./events";
import { countsOfDay, project } from "./projection";
import {
  addRetainedCounts,
  eventIsExpired,
  expiredRecords,
  forgetExpired,
  mergeRetainedCounts,
  retentionCutoff,
} from "./retention";
import { snapshotOf } from "./stateSnapshot";
import { eventStream } from "./testEvents";

const DAY = 24 * 60 * 60 * 1000;
const now = new Date("2026-12-03T04:00:00.000Z");
const daysAgo = (n: number, minutes = 0) => new Date(now.getTime() - n * DAY + minutes * 60_000).toISOString();

/** A site's history: the device's and another device's events, each at its own time. */
function history() {
  const mine = eventStream("device-a", "DEMO", "staff-1");
  const theirs = eventStream("device-b", "DEMO", "staff-2");
  const events: SampleEvent[] = [];
  let person = 0;
  const at =
    (stream: typeof mine, time: string) =>
    <T extends SampleEvent["type"]>(type: T, payload: Extract<SampleEvent, { type: T }>["payload"]) => {
      const e = stream.next(type, payload as never, { occurredAt: time });
      events.push(e);
      return e;
    };
  const tube = (stream: typeof mine, code: string, day: number, people: number) => {
    at(stream, daysAgo(day))("tube.opened", { tubeCode: code, capacity: 10 });
    const ids: string[] = [];
    for (let i = 0; i < people; i++) {
      const id = crypto.randomUUID();
      ids.push(id);
      person++;
      at(stream, daysAgo(day, 1 + i))("registration.added", {
        registrationId: id,
        tubeCode: code,
        resident: { name: `居民${person}`, docType: "PP", docNumber: `E${String(10_000_000 + person)}` },
      });
    }
    return ids;
  };
  const box = (stream: typeof mine, code: string, tubes: string[], day: number, handOver: boolean) => {
    at(stream, daysAgo(day, 30))("box.opened", { boxCode: code });
    for (const t of tubes) at(stream, daysAgo(day, 31))("box.tube_added", { boxCode: code, tubeCode: t });
    at(stream, daysAgo(day, 32))("box.closed", { boxCode: code, tubeCount: tubes.length });
    if (handOver)
      at(stream, daysAgo(day, 33))("box.handed_over", {
        boxCode: code,
        courierName: "王师傅",
        courierPhone: "13900001111",
      });
  };
  // Ten days ago: tube T1 (3 people, one voided), T2 transferred to T3 (damaged), both boxed and handed over.
  const t1 = tube(mine, "T1", 10, 3);
  at(mine, daysAgo(10, 5))("registration.voided", {
    registrationId: t1[2] as string,
    tubeCode: "T1",
    reason: "扫错人",
  });
  at(mine, daysAgo(10, 6))("tube.sealed", { tubeCode: "T1", count: 2, short: true });
  tube(mine, "T2", 10, 2);
  at(mine, daysAgo(10, 7))("tube.transferred", { fromTubeCode: "T2", toTubeCode: "T3", reason: "试管破损" });
  at(mine, daysAgo(10, 8))("tube.sealed", { tubeCode: "T3", count: 2, short: true });
  box(mine, "B1", ["T1", "T3"], 10, true);
  // Nine days ago, another device: T4 in B2, handed over.
  tube(theirs, "T4", 9, 2);
  at(theirs, daysAgo(9, 9))("tube.sealed", { tubeCode: "T4", count: 2, short: true });
  box(theirs, "B2", ["T4"], 9, true);
  // Eight days ago: an empty tube abandoned; T5 boxed in B3 but the box never handed over.
  at(mine, daysAgo(8))("tube.opened", { tubeCode: "T9", capacity: 10 });
  at(mine, daysAgo(8, 1))("tube.abandoned", { tubeCode: "T9", reason: "扫错试管" });
  tube(mine, "T5", 8, 2);
  at(mine, daysAgo(8, 9))("tube.sealed", { tubeCode: "T5", count: 2, short: true });
  box(mine, "B3", ["T5"], 8, false);
  // Two days ago: T6 in B4, handed over (too recent).
  tube(mine, "T6", 2, 1);
  at(mine, daysAgo(2, 9))("tube.sealed", { tubeCode: "T6", count: 1, short: true });
  box(mine, "B4", ["T6"], 2, true);
  // Today: an open tube.
  tube(mine, "T7", 0, 1);
  return events;
}

describe("retention on the device", () => {
  it("expires handed-over boxes older than the cutoff, their tubes (transferred ones too) and abandoned empty tubes", () => {
    const state = project(history());
    const expired = expiredRecords(state, retentionCutoff(now, 7));
    expect([...expired.boxes].sort()).toEqual(["B1", "B2"]);
    expect([...expired.tubes].sort()).toEqual(["T1", "T2", "T3", "T4", "T9"]);
    expect(expired.registrations.size).toBe(3 + 2 + 2);
    // A longer retention keeps them all; a box handed over after the cutoff is kept.
    expect(expiredRecords(state, retentionCutoff(now, 30)).tubes.size).toBe(0);
    expect(expiredRecords(state, retentionCutoff(now, 1)).boxes.has("B4")).toBe(true);
    expect(expiredRecords(state, retentionCutoff(now, 3)).boxes.has("B4")).toBe(false);
  });

  it("leaves the state a projection of the events kept would give, with every day's counters as before", () => {
    const events = history();
    const state = project(events);
    const days = [8, 9, 10, 2, 0].map((d) => daysAgo(d).slice(0, 10));
    const countsBefore = days.map((day) => [countsOfDay(state, day, "device-a"), countsOfDay(state, day, "device-b")]);
    const expired = expiredRecords(state, retentionCutoff(now, 7));
    const kept = events.filter((e) => !eventIsExpired(e, expired));
    // Every event of an expired record goes, every other stays (the open tube, the recent box, the unsent box).
    expect(events.length - kept.length).toBeGreaterThan(0);
    expect(kept.some((e) => e.type === "box.opened" && e.payload.boxCode === "B3")).toBe(true);
    expect(kept.some((e) => e.type === "tube.opened" && e.payload.tubeCode === "T1")).toBe(false);
    const retained = forgetExpired(state, expired);
    // The state now holds exactly what the kept events project to …
    const fromKept = project(kept);
    expect(snapshotOf(state)).toEqual(snapshotOf(fromKept));
    expect(state.registrationLog.every((r) => !expired.registrations.has(r.id))).toBe(true);
    expect(state.registrationsByDocument.size).toBe(fromKept.registrationsByDocument.size);
    // … and its counters are unchanged; a state built from the kept events gets them back with the retained counts.
    expect(days.map((day) => [countsOfDay(state, day, "device-a"), countsOfDay(state, day, "device-b")])).toEqual(
      countsBefore,
    );
    addRetainedCounts(fromKept, mergeRetainedCounts({}, retained));
    expect(days.map((day) => [countsOfDay(fromKept, day, "device-a"), countsOfDay(fromKept, day, "device-b")])).toEqual(
      countsBefore,
    );
  });
});
