import { describe, expect, it } from "vitest";
import type { SampleEvent } from "./events";
import { activeMembers, openBoxOfDevice, openTubeOfDevice, project } from "./projection";
import type { Resident } from "./residentCode";
import {
  decideAddTubeToBox,
  decideCloseBox,
  decideHandover,
  decideOpenBox,
  decideOpenTube,
  decideRegister,
  decideSeal,
  decideTransfer,
  decideVoid,
  siteDay,
} from "./station";
import { eventStream, testUuid } from "./testEvents";

const people: Resident[] = [
  { name: "张三", docType: "ID", docNumber: "11010519491231002X" },
  { name: "李四", docType: "ID", docNumber: "440524188001010014" },
  { name: "王五", docType: "PP", docNumber: "E12345678" },
];
const DEVICE = "device-0001";
const NOON = "2026-11-29T04:00:00.000Z"; // 12:00 in China

/** A log where each decision that succeeds becomes an event, as on a device. */
function log() {
  const stream = eventStream(DEVICE);
  const events: SampleEvent[] = [];
  let n = 0;
  const record = <T extends SampleEvent["type"]>(type: T, d: { ok: boolean; value?: unknown }) => {
    if (d.ok) events.push(stream.next(type, d.value as never, { occurredAt: NOON }));
    return d;
  };
  const state = () => project(events);
  return {
    events,
    state,
    open: (code: string, capacity: 1 | 5 | 10 | 20 = 5) =>
      record("tube.opened", decideOpenTube(state(), code, capacity)),
    register: (code: string, r: Resident, repeatReason?: string) =>
      record(
        "registration.added",
        decideRegister(state(), code, r, testUuid(++n), { at: NOON, ...(repeatReason ? { repeatReason } : {}) }),
      ),
    seal: (code: string) => record("tube.sealed", decideSeal(state(), code, { confirmShort: true })),
    void: (id: string, reason: string) => record("registration.voided", decideVoid(state(), id, reason)),
    transfer: (from: string, to: string, reason: string) =>
      record("tube.transferred", decideTransfer(state(), from, to, reason, DEVICE)),
    openBox: (code: string) => record("box.opened", decideOpenBox(state(), code, DEVICE)),
    addToBox: (box: string, tube: string) => record("box.tube_added", decideAddTubeToBox(state(), box, tube)),
    closeBox: (box: string) => record("box.closed", decideCloseBox(state(), box)),
    handover: (box: string, name = "刘师傅", phone = "13900001111", vehiclePlate?: string) =>
      record(
        "box.handed_over",
        decideHandover(state(), box, { name, phone, ...(vehiclePlate ? { vehiclePlate } : {}) }),
      ),
  };
}

describe("site day", () => {
  it("runs on China time", () => {
    expect(siteDay("2026-11-28T16:30:00Z")).toBe("2026-11-29");
    expect(siteDay("2026-11-28T15:30:00Z")).toBe("2026-11-28");
  });
});

describe("already registered today", () => {
  it("warns with the earlier tube and time, and proceeds with a reason", () => {
    const l = log();
    l.open("TUBE0001");
    l.register("TUBE0001", people[0] as Resident);
    l.seal("TUBE0001");
    l.open("TUBE0002");
    expect(l.register("TUBE0002", people[0] as Resident)).toEqual({
      ok: false,
      error: { code: "registered_today", tubeCode: "TUBE0001", registeredAt: NOON },
    });
    expect(l.register("TUBE0002", people[0] as Resident, "复采")).toMatchObject({
      ok: true,
      value: { repeatReason: "复采" },
    });
    const repeat = [...l.state().registrations.values()].find((r) => r.tubeCode === "TUBE0002");
    expect(repeat?.repeatReason).toBe("复采");
  });

  it("is about the same document: the same number under another document type is another person", () => {
    const l = log();
    l.open("TUBE0001");
    l.register("TUBE0001", { name: "甲", docType: "PP", docNumber: "E12345678" });
    l.register("TUBE0001", { name: "乙", docType: "OT", docNumber: "E12345678" });
    l.seal("TUBE0001");
    l.open("TUBE0002");
    expect(l.register("TUBE0002", { name: "乙", docType: "OT", docNumber: "E12345678" })).toMatchObject({
      ok: false,
      error: { code: "registered_today", tubeCode: "TUBE0001" },
    });
    expect(l.register("TUBE0002", { name: "丙", docType: "HKMO", docNumber: "E12345678" })).toMatchObject({
      ok: true,
    });
  });
});

describe("void", () => {
  it("needs a reason and an unsealed tube", () => {
    const l = log();
    l.open("TUBE0001");
    l.register("TUBE0001", people[0] as Resident);
    expect(l.void(testUuid(1), "  ")).toMatchObject({ ok: false, error: { code: "reason_required" } });
    l.seal("TUBE0001");
    expect(l.void(testUuid(1), "错误")).toMatchObject({ ok: false, error: { code: "tube_sealed" } });
  });
});

describe("transfer of a damaged tube", () => {
  it("moves the active people to a new tube in one event and voids the old tube", () => {
    const l = log();
    l.open("TUBE0001", 5);
    l.register("TUBE0001", people[0] as Resident);
    l.register("TUBE0001", people[1] as Resident);
    l.register("TUBE0001", people[2] as Resident);
    l.void(testUuid(2), "录错");
    expect(l.transfer("TUBE0001", "TUBE0009", "试管破损")).toMatchObject({ ok: true });
    const state = l.state();
    expect(activeMembers(state, "TUBE0009").map((m) => m.resident.name)).toEqual(["张三", "王五"]);
    expect(activeMembers(state, "TUBE0001")).toEqual([]);
    expect(state.tubes.get("TUBE0001")).toMatchObject({ status: "void", transferredTo: { tubeCode: "TUBE0009" } });
    expect(state.tubes.get("TUBE0009")).toMatchObject({ status: "open", capacity: 5, transferredFrom: "TUBE0001" });
    expect(openTubeOfDevice(state, DEVICE)?.code).toBe("TUBE0009");
    expect(l.register("TUBE0001", people[1] as Resident)).toMatchObject({
      ok: false,
      error: { code: "tube_void", transferredTo: "TUBE0009" },
    });
    // The voided registration stayed where it was.
    expect(state.registrations.get(testUuid(2))?.tubeCode).toBe("TUBE0001");
  });

  it("refuses a used target code, an empty reason, and a boxed tube", () => {
    const l = log();
    l.open("TUBE0001");
    l.register("TUBE0001", people[0] as Resident);
    l.seal("TUBE0001");
    l.open("TUBE0002");
    expect(l.transfer("TUBE0001", "TUBE0002", "破损")).toMatchObject({ ok: false, error: { code: "tube_exists" } });
    expect(l.transfer("TUBE0001", "TUBE0003", "")).toMatchObject({ ok: false, error: { code: "reason_required" } });
    expect(l.transfer("TUBE0001", "TUBE0003", "破损")).toMatchObject({ ok: false, error: { code: "other_tube_open" } });
    l.openBox("BOX-001");
    l.addToBox("BOX-001", "TUBE0001");
    expect(l.transfer("TUBE0001", "TUBE0003", "破损")).toMatchObject({ ok: false, error: { code: "tube_in_box" } });
  });
});

describe("boxes and handover", () => {
  function sealedTubes() {
    const l = log();
    for (const [i, code] of ["TUBE0001", "TUBE0002"].entries()) {
      l.open(code);
      l.register(code, people[i] as Resident);
      l.seal(code);
    }
    l.open("TUBE0003");
    return l;
  }

  it("packs sealed tubes, one box per tube, refusing unsealed and unknown tubes", () => {
    const l = sealedTubes();
    expect(l.openBox("BOX-001")).toMatchObject({ ok: true });
    expect(l.openBox("BOX-002")).toMatchObject({ ok: false, error: { code: "box_already_open" } });
    expect(l.addToBox("BOX-001", "TUBE0001")).toMatchObject({ ok: true });
    expect(l.addToBox("BOX-001", "TUBE0001")).toMatchObject({
      ok: false,
      error: { code: "tube_in_box", boxCode: "BOX-001" },
    });
    expect(l.addToBox("BOX-001", "TUBE0003")).toMatchObject({ ok: false, error: { code: "tube_not_sealed" } });
    expect(l.addToBox("BOX-001", "NOPE0001")).toMatchObject({ ok: false, error: { code: "no_such_tube" } });
    expect(l.addToBox("BOX-001", "TUBE0002")).toMatchObject({ ok: true });
    expect(openBoxOfDevice(l.state(), DEVICE)?.tubeCodes).toEqual(["TUBE0001", "TUBE0002"]);
  });

  it("closes a box with its count, hands it over, and locks it", () => {
    const l = sealedTubes();
    l.openBox("BOX-001");
    expect(l.closeBox("BOX-001")).toMatchObject({ ok: false, error: { code: "empty_box" } });
    expect(l.handover("BOX-001")).toMatchObject({ ok: false, error: { code: "box_not_closed" } });
    l.addToBox("BOX-001", "TUBE0001");
    expect(l.closeBox("BOX-001")).toEqual({ ok: true, value: { boxCode: "BOX-001", tubeCount: 1 } });
    expect(l.addToBox("BOX-001", "TUBE0002")).toMatchObject({
      ok: false,
      error: { code: "box_not_open", status: "closed" },
    });
    expect(l.handover("BOX-001", " ")).toMatchObject({ ok: false, error: { code: "courier_name_required" } });
    expect(l.handover("BOX-001", "刘师傅", "123")).toMatchObject({ ok: false, error: { code: "bad_courier_phone" } });
    // The destination lab is optional; a given one must be a lab code (typed lower-case, it is upper-cased).
    expect(
      decideHandover(l.state(), "BOX-001", { name: "刘师傅", phone: "13900001111", labCode: "实验室" }),
    ).toMatchObject({
      ok: false,
      error: { code: "bad_lab_code" },
    });
    expect(
      decideHandover(l.state(), "BOX-001", { name: "刘师傅", phone: "13900001111", labCode: " lab01 " }),
    ).toMatchObject({
      ok: true,
      value: { labCode: "LAB01" },
    });
    expect(l.handover("BOX-001", "刘师傅", "139 0000 1111", "鲁f12345")).toEqual({
      ok: true,
      value: { boxCode: "BOX-001", courierName: "刘师傅", courierPhone: "13900001111", vehiclePlate: "鲁F12345" },
    });
    expect(l.state().boxes.get("BOX-001")).toMatchObject({
      status: "handed_over",
      handover: { courierName: "刘师傅" },
    });
    expect(l.handover("BOX-001")).toMatchObject({ ok: false, error: { code: "box_locked" } });
    expect(l.closeBox("BOX-001")).toMatchObject({ ok: false, error: { code: "box_not_open", status: "handed_over" } });
    expect(l.openBox("BOX-001")).toMatchObject({ ok: false, error: { code: "box_exists" } });
  });

  it("records a tube put in two boxes by two devices as an anomaly, keeping the first", () => {
    const a = eventStream("device-a");
    const b = eventStream("device-b");
    const state = project([
      a.next("tube.opened", { tubeCode: "TUBE0001", capacity: 1 }),
      a.next("tube.sealed", { tubeCode: "TUBE0001", count: 1, short: false }),
      a.next("box.opened", { boxCode: "BOX-A" }),
      b.next("box.opened", { boxCode: "BOX-B" }),
      a.next("box.tube_added", { boxCode: "BOX-A", tubeCode: "TUBE0001" }),
      b.next("box.tube_added", { boxCode: "BOX-B", tubeCode: "TUBE0001" }),
    ]);
    expect(state.tubes.get("TUBE0001")?.boxCode).toBe("BOX-A");
    expect(state.anomalies.map((x) => x.problem)).toEqual(["tube_in_two_boxes"]);
  });
});
