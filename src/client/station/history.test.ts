import { describe, expect, it } from "vitest";
import { applyEvent, project, type StationState } from "../../domain/projection";
import type { Resident } from "../../domain/residentCode";
import { eventStream, testUuid } from "../../domain/testEvents";
import { searchHistory } from "./history";

const people: Resident[] = [
  { name: "张三", docType: "ID", docNumber: "11010519491231002X" },
  { name: "李四", docType: "ID", docNumber: "440524188001010014" },
  { name: "阿依古丽·买买提", docType: "ID", docNumber: "110105194912310037" },
  { name: "John Smith", docType: "PP", docNumber: "E98765432" },
  { name: "张三丰", docType: "ID", docNumber: "110105200001015678" },
];

/** Two tubes of one device, the second voided-then-transferred, and a box handed over. */
function day() {
  const s = eventStream("device-a", "DEMO", "staff-a");
  let n = 0;
  const register = (tubeCode: string, resident: Resident) =>
    s.next("registration.added", { registrationId: testUuid(++n), tubeCode, resident });
  const events = [
    s.next("tube.opened", { tubeCode: "TUBE0001", capacity: 10 }),
    register("TUBE0001", people[0] as Resident),
    register("TUBE0001", people[1] as Resident),
    s.next("tube.sealed", { tubeCode: "TUBE0001", count: 2, short: true }),
    s.next("tube.opened", { tubeCode: "TUBE0002", capacity: 10 }),
    register("TUBE0002", people[2] as Resident),
    register("TUBE0002", people[3] as Resident),
    s.next("registration.voided", { registrationId: testUuid(4), tubeCode: "TUBE0002", reason: "录错了" }),
    s.next("tube.transferred", { fromTubeCode: "TUBE0002", toTubeCode: "TUBE0003", reason: "试管破损" }),
    s.next("tube.sealed", { tubeCode: "TUBE0003", count: 1, short: true }),
    s.next("box.opened", { boxCode: "BOX-000001" }),
    s.next("box.tube_added", { boxCode: "BOX-000001", tubeCode: "TUBE0001" }),
    s.next("box.tube_added", { boxCode: "BOX-000001", tubeCode: "TUBE0003" }),
    s.next("box.closed", { boxCode: "BOX-000001", tubeCount: 2 }),
    s.next("box.handed_over", { boxCode: "BOX-000001", courierName: "刘师傅", courierPhone: "13900001111" }),
  ];
  return { stream: s, events, register };
}

const tubeCodes = (state: StationState, query: string, limit = 50) =>
  searchHistory(state, query, limit).tubes.map((t) => t.tube.code);

describe("history search", () => {
  const { events } = day();
  const state = project(events);

  it("finds people by any part of the name, Chinese or Latin (any case), and marks the matching member", () => {
    expect(tubeCodes(state, "张三")).toEqual(["TUBE0001"]);
    expect(tubeCodes(state, "古丽")).toEqual(["TUBE0003"]);
    expect(tubeCodes(state, "smith")).toEqual(["TUBE0002"]);
    const [found] = searchHistory(state, "李", 50).tubes;
    expect([...(found?.matched ?? [])]).toEqual([testUuid(2)]);
    expect(found?.registrations.map((r) => r.resident.name)).toEqual(["张三", "李四"]);
    expect(tubeCodes(state, "王五")).toEqual([]);
  });

  it("finds people by the last 4–6 characters of the document number (what a masked number shows) or the whole", () => {
    expect(tubeCodes(state, "002X")).toEqual(["TUBE0001"]);
    expect(tubeCodes(state, "002x")).toEqual(["TUBE0001"]);
    expect(tubeCodes(state, "31002X")).toEqual(["TUBE0001"]);
    expect(tubeCodes(state, "0014")).toEqual(["TUBE0001"]);
    expect(tubeCodes(state, "0037")).toEqual(["TUBE0003"]);
    expect(tubeCodes(state, "110105194912310037")).toEqual(["TUBE0003"]);
    // Full-width digits from a Chinese input method.
    expect(tubeCodes(state, "００３７")).toEqual(["TUBE0003"]);
    // Three characters are too few to search a number by.
    expect(tubeCodes(state, "037")).toEqual([]);
    const [found] = searchHistory(state, "0014", 50).tubes;
    expect([...(found?.matched ?? [])]).toEqual([testUuid(2)]);
  });

  it("finds tubes by the whole code or a part of it, newest first", () => {
    expect(tubeCodes(state, "TUBE0002")).toEqual(["TUBE0002"]);
    expect(tubeCodes(state, "tube0002")).toEqual(["TUBE0002"]);
    expect(tubeCodes(state, "UBE000")).toEqual(["TUBE0003", "TUBE0002", "TUBE0001"]);
    expect(tubeCodes(state, "UBE000", 2)).toEqual(["TUBE0003", "TUBE0002"]);
    expect(tubeCodes(state, "")).toEqual(["TUBE0003", "TUBE0002", "TUBE0001"]);
  });

  it("finds a box by its code, with its tubes and the handover", () => {
    for (const query of ["BOX-000001", "000001", "box-0000"]) {
      const { boxes } = searchHistory(state, query, 50);
      expect(
        boxes.map((b) => b.box.code),
        query,
      ).toEqual(["BOX-000001"]);
      expect(boxes[0]?.tubes.map((t) => t.code)).toEqual(["TUBE0001", "TUBE0003"]);
      expect(boxes[0]?.box.handover).toMatchObject({
        courierName: "刘师傅",
        courierPhone: "13900001111",
        staffId: "staff-a",
      });
    }
    expect(searchHistory(state, "张三", 50).boxes).toEqual([]);
  });

  it("keeps who voided or transferred, why and when", () => {
    const [voidedTube] = searchHistory(state, "smith", 50).tubes;
    const voided = voidedTube?.registrations.find((r) => r.resident.name === "John Smith");
    expect(voided?.voided).toEqual({ reason: "录错了", staffId: "staff-a", at: events[7]?.occurredAt });
    expect(voidedTube?.activeCount).toBe(0);
    expect(voidedTube?.tube.transferredTo).toEqual({
      tubeCode: "TUBE0003",
      reason: "试管破损",
      staffId: "staff-a",
      at: events[8]?.occurredAt,
    });
  });
});

describe("history index", () => {
  it("takes in events applied after the first search, a tube another device opened earlier in its place", () => {
    const { stream, events, register } = day();
    const state = project(events);
    expect(tubeCodes(state, "张三丰")).toEqual([]);
    applyEvent(state, stream.next("tube.opened", { tubeCode: "TUBE0004", capacity: 5 }));
    applyEvent(state, register("TUBE0004", people[4] as Resident));
    expect(tubeCodes(state, "张三丰")).toEqual(["TUBE0004"]);
    expect(tubeCodes(state, "张三")).toEqual(["TUBE0004", "TUBE0001"]);
    expect(tubeCodes(state, "5678")).toEqual(["TUBE0004"]);
    // Pulled later, opened before any of this device's tubes.
    const other = eventStream("device-b", "DEMO", "staff-b");
    applyEvent(
      state,
      other.next("tube.opened", { tubeCode: "TUBE0099", capacity: 10 }, { occurredAt: "2026-11-29T07:00:00.000Z" }),
    );
    expect(tubeCodes(state, "")).toEqual(["TUBE0004", "TUBE0003", "TUBE0002", "TUBE0001", "TUBE0099"]);
    // A void applied later shows in the next search (the index holds the projection's own registrations).
    applyEvent(
      state,
      stream.next("registration.voided", { registrationId: testUuid(5), tubeCode: "TUBE0004", reason: "x" }),
    );
    expect(searchHistory(state, "张三丰", 50).tubes[0]?.registrations[0]?.voided?.reason).toBe("x");
  });

  it("answers a search without walking or sorting every tube and registration once the index is built", () => {
    const { events } = day();
    const state = project(events);
    searchHistory(state, "", 50);
    const walked = () => {
      throw new Error("walked every tube or registration");
    };
    // What the old search did on every keystroke: every tube, sorted.
    state.tubes.values = walked;
    state.tubes.forEach = walked;
    state.registrations.values = walked;
    state.registrations.forEach = walked;
    for (const query of ["", "张三", "002X", "TUBE0001", "UBE0", "BOX-000001"]) {
      expect(() => searchHistory(state, query, 50), query).not.toThrow();
    }
    expect(tubeCodes(state, "UBE0")).toEqual(["TUBE0003", "TUBE0002", "TUBE0001"]);
  });
});
