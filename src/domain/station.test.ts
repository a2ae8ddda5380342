import { describe, expect, it } from "vitest";
import type { SampleEvent } from "./events";
import { activeMembers, openTubeOfDevice, project } from "./projection";
import type { Resident } from "./residentCode";
import {
  decideAbandon,
  decideOpenTube,
  decideRegister,
  decideSeal,
  decideUndo,
  decideVoid,
  UNDO_REASON,
  UNDO_WINDOW_MS,
  undoDeadline,
} from "./station";
import { eventStream, testUuid } from "./testEvents";

const residents: Resident[] = [
  { name: "张三", docType: "ID", docNumber: "11010519491231002X" },
  { name: "李四", docType: "ID", docNumber: "440524188001010014" },
  { name: "王五", docType: "PP", docNumber: "E12345678" },
  { name: "赵六", docType: "HKMO", docNumber: "H12345678" },
  { name: "孙七", docType: "TW", docNumber: "12345678" },
  { name: "周八", docType: "PP", docNumber: "E87654321" },
];

/** Runs decisions the way the client does: decide, then record the event, then project again. */
function station(capacity: 1 | 5 | 10 | 20 = 5) {
  const stream = eventStream();
  const log: SampleEvent[] = [];
  const state = () => project(log);
  let n = 0;
  return {
    log,
    state,
    open(code: string) {
      const d = decideOpenTube(state(), code, capacity);
      if (d.ok) log.push(stream.next("tube.opened", d.value));
      return d;
    },
    register(code: string, resident: Resident) {
      const d = decideRegister(state(), code, resident, testUuid(++n));
      if (d.ok) log.push(stream.next("registration.added", d.value));
      return d;
    },
    void(id: string, reason: string) {
      const d = decideVoid(state(), id, reason);
      if (d.ok) log.push(stream.next("registration.voided", d.value));
      return d;
    },
    abandon(code: string, reason: string) {
      const d = decideAbandon(state(), code, reason);
      if (d.ok) log.push(stream.next("tube.abandoned", d.value));
      return d;
    },
    seal(code: string, confirmShort = false) {
      const d = decideSeal(state(), code, { confirmShort });
      if (d.ok) log.push(stream.next("tube.sealed", d.value));
      return d;
    },
  };
}

describe("tubes and registrations", () => {
  it("projects members in order with status", () => {
    const s = station(5);
    s.open("TUBE0001");
    s.register("TUBE0001", residents[0] as Resident);
    s.register("TUBE0001", residents[1] as Resident);
    const state = s.state();
    expect(activeMembers(state, "TUBE0001").map((m) => m.resident.name)).toEqual(["张三", "李四"]);
    expect(state.tubes.get("TUBE0001")).toMatchObject({ status: "open", capacity: 5 });
    expect(openTubeOfDevice(state, "device-0001")?.code).toBe("TUBE0001");
  });

  it("refuses a tube code already used", () => {
    const s = station();
    s.open("TUBE0001");
    expect(s.open("TUBE0001")).toMatchObject({ ok: false, error: { code: "tube_exists", status: "open" } });
  });

  it("refuses the same resident twice in one tube", () => {
    const s = station();
    s.open("TUBE0001");
    s.register("TUBE0001", residents[0] as Resident);
    expect(s.register("TUBE0001", { ...(residents[0] as Resident), name: "张叁" })).toMatchObject({
      ok: false,
      error: { code: "already_in_tube" },
    });
  });

  it("stops at capacity", () => {
    const s = station(5);
    s.open("TUBE0001");
    for (const r of residents.slice(0, 5)) expect(s.register("TUBE0001", r).ok).toBe(true);
    expect(s.register("TUBE0001", residents[5] as Resident)).toMatchObject({
      ok: false,
      error: { code: "tube_full", capacity: 5 },
    });
  });

  it("seals full tubes directly and short tubes only with confirmation", () => {
    const s = station(5);
    s.open("TUBE0001");
    s.register("TUBE0001", residents[0] as Resident);
    s.register("TUBE0001", residents[1] as Resident);
    expect(s.seal("TUBE0001")).toEqual({
      ok: false,
      error: { code: "short_needs_confirmation", count: 2, capacity: 5 },
    });
    expect(s.seal("TUBE0001", true)).toEqual({ ok: true, value: { tubeCode: "TUBE0001", count: 2, short: true } });
    expect(s.state().tubes.get("TUBE0001")?.sealed).toMatchObject({ count: 2, short: true });
    expect(s.register("TUBE0001", residents[2] as Resident)).toMatchObject({
      ok: false,
      error: { code: "tube_sealed" },
    });
    expect(s.seal("TUBE0001", true)).toMatchObject({ ok: false, error: { code: "tube_sealed" } });

    const full = station(1);
    full.open("TUBE0002");
    full.register("TUBE0002", residents[0] as Resident);
    expect(full.seal("TUBE0002")).toEqual({ ok: true, value: { tubeCode: "TUBE0002", count: 1, short: false } });
  });

  it("refuses to seal an empty tube", () => {
    const s = station();
    s.open("TUBE0001");
    expect(s.seal("TUBE0001", true)).toMatchObject({ ok: false, error: { code: "empty_tube" } });
  });

  it("voids a registration, freeing its place, and not twice", () => {
    const s = station(1);
    s.open("TUBE0001");
    s.register("TUBE0001", residents[0] as Resident);
    const id = testUuid(1);
    expect(s.void(id, " 录入错误 ")).toEqual({
      ok: true,
      value: { registrationId: id, tubeCode: "TUBE0001", reason: "录入错误" },
    });
    expect(s.void(id, "again")).toMatchObject({ ok: false, error: { code: "already_voided" } });
    expect(activeMembers(s.state(), "TUBE0001")).toEqual([]);
    expect(s.register("TUBE0001", residents[0] as Resident).ok).toBe(true);
    expect(s.void(testUuid(99), "x")).toMatchObject({ ok: false, error: { code: "no_such_registration" } });
  });

  it("records events that do not fit as anomalies instead of failing", () => {
    const stream = eventStream();
    const state = project([
      stream.next("registration.added", {
        registrationId: testUuid(1),
        tubeCode: "NOPE0001",
        resident: residents[0] as Resident,
      }),
      stream.next("tube.opened", { tubeCode: "TUBE0001", capacity: 5 }),
      stream.next("tube.opened", { tubeCode: "TUBE0001", capacity: 5 }),
      stream.next("registration.voided", { registrationId: testUuid(2), tubeCode: "TUBE0001", reason: "x" }),
    ]);
    expect(state.anomalies.map((a) => a.problem)).toEqual(["unknown_tube", "tube_reopened", "unknown_registration"]);
  });
});

describe("undo of the last registration", () => {
  // eventStream stamps event n at 08:00:n UTC: the first registration (event 2) at 08:00:02.
  const registeredAt = Date.UTC(2026, 10, 29, 8, 0, 2);

  function twoRegistered() {
    const s = station(5);
    s.open("TUBE0001");
    s.register("TUBE0001", residents[0] as Resident);
    s.register("TUBE0001", residents[1] as Resident);
    return s;
  }

  it("voids the latest registration with the reason 撤销 within the window", () => {
    const s = twoRegistered();
    expect(UNDO_REASON).toBe("撤销");
    expect(undoDeadline("2026-11-29T08:00:03.000Z")).toBe(registeredAt + 1000 + UNDO_WINDOW_MS);
    for (const now of [registeredAt + 1000, registeredAt + 1000 + UNDO_WINDOW_MS, registeredAt - 60_000]) {
      expect(decideUndo(s.state(), testUuid(2), now)).toEqual({
        ok: true,
        value: { registrationId: testUuid(2), tubeCode: "TUBE0001", reason: "撤销" },
      });
    }
  });

  it("refuses once the window has passed", () => {
    const s = twoRegistered();
    expect(decideUndo(s.state(), testUuid(2), registeredAt + 1000 + UNDO_WINDOW_MS + 1)).toEqual({
      ok: false,
      error: { code: "undo_expired", seconds: UNDO_WINDOW_MS / 1000 },
    });
  });

  it("refuses a registration that is not the tube's latest", () => {
    const s = twoRegistered();
    expect(decideUndo(s.state(), testUuid(1), registeredAt)).toEqual({ ok: false, error: { code: "undo_not_last" } });
  });

  it("refuses when there is nothing to undo: unknown, or voided already (undone twice)", () => {
    const s = twoRegistered();
    expect(decideUndo(s.state(), testUuid(99), registeredAt)).toEqual({
      ok: false,
      error: { code: "nothing_to_undo" },
    });
    s.void(testUuid(2), "撤销");
    expect(decideUndo(s.state(), testUuid(2), registeredAt)).toEqual({ ok: false, error: { code: "nothing_to_undo" } });
    // The one before is not "the last" either: older registrations are voided with a reason.
    expect(decideUndo(s.state(), testUuid(1), registeredAt)).toEqual({ ok: false, error: { code: "undo_not_last" } });
  });

  it("refuses when the tube is sealed", () => {
    const s = twoRegistered();
    s.seal("TUBE0001", true);
    expect(decideUndo(s.state(), testUuid(2), registeredAt)).toEqual({
      ok: false,
      error: { code: "undo_tube_sealed", tubeCode: "TUBE0001" },
    });
  });
});

describe("reason text", () => {
  it("is cleaned and limited to what the event schema takes", () => {
    const s = station(5);
    s.open("TUBE0001");
    s.register("TUBE0001", residents[0] as Resident);
    expect(decideVoid(s.state(), testUuid(1), "x".repeat(201))).toEqual({
      ok: false,
      error: { code: "reason_too_long", max: 200 },
    });
    expect(decideVoid(s.state(), testUuid(1), "\t\n ")).toEqual({ ok: false, error: { code: "reason_required" } });
    expect(decideVoid(s.state(), testUuid(1), " 扫错人\r\n")).toMatchObject({ ok: true, value: { reason: "扫错人" } });
  });

  it("a repeat-sampling reason too long is refused, not left for the server to reject", () => {
    const s = station(5);
    s.open("TUBE0001");
    s.register("TUBE0001", residents[0] as Resident);
    s.open("TUBE0002");
    const at = "2026-11-29T09:00:00.000Z";
    expect(
      decideRegister(s.state(), "TUBE0002", residents[0] as Resident, testUuid(50), {
        at,
        repeatReason: "y".repeat(201),
      }),
    ).toEqual({ ok: false, error: { code: "reason_too_long", max: 200 } });
    expect(
      decideRegister(s.state(), "TUBE0002", residents[0] as Resident, testUuid(50), { at, repeatReason: " 复检 " }),
    ).toMatchObject({ ok: true, value: { repeatReason: "复检" } });
  });
});

describe("a seal-early question left open while scanning goes on", () => {
  function withThree(capacity: 5 | 10 = 5) {
    const s = station(capacity);
    s.open("TUBE0001");
    for (const r of residents.slice(0, 3)) s.register("TUBE0001", r);
    return s;
  }

  it("seals short when the confirmed count is still the count", () => {
    const s = withThree();
    expect(decideSeal(s.state(), "TUBE0001", { confirmShort: true, confirmedCount: 3 })).toEqual({
      ok: true,
      value: { tubeCode: "TUBE0001", count: 3, short: true },
    });
  });

  it("asks again with the new count when people were registered after the question", () => {
    const s = withThree();
    s.register("TUBE0001", residents[3] as Resident);
    expect(decideSeal(s.state(), "TUBE0001", { confirmShort: true, confirmedCount: 3 })).toEqual({
      ok: false,
      error: { code: "short_needs_confirmation", count: 4, capacity: 5 },
    });
  });

  it("seals the full tube, not short, when it filled up meanwhile", () => {
    const s = withThree();
    s.register("TUBE0001", residents[3] as Resident);
    s.register("TUBE0001", residents[4] as Resident);
    expect(decideSeal(s.state(), "TUBE0001", { confirmShort: true, confirmedCount: 3 })).toEqual({
      ok: true,
      value: { tubeCode: "TUBE0001", count: 5, short: false },
    });
  });

  it("without a confirmed count, a confirmation seals at whatever the count is (as before)", () => {
    const s = withThree();
    s.register("TUBE0001", residents[3] as Resident);
    expect(decideSeal(s.state(), "TUBE0001", { confirmShort: true })).toMatchObject({
      ok: true,
      value: { count: 4, short: true },
    });
  });
});

describe("abandoning an empty tube opened by mistake", () => {
  it("voids it with the reason, frees the device for another tube, and no longer counts it", () => {
    const s = station();
    s.open("YT00000001");
    expect(s.abandon("YT00000001", "  扫错试管 ")).toEqual({
      ok: true,
      value: { tubeCode: "YT00000001", reason: "扫错试管" },
    });
    const state = s.state();
    expect(state.tubes.get("YT00000001")).toMatchObject({ status: "void", abandoned: { reason: "扫错试管" } });
    expect(openTubeOfDevice(state, "device-0001")).toBeUndefined();
    expect([...state.days.values()].map((d) => d.tubesByDevice.get("device-0001") ?? 0)).toEqual([0]);
    // Its code stays used; a new label opens.
    expect(s.open("YT00000001")).toMatchObject({ ok: false, error: { code: "tube_exists", status: "void" } });
    expect(s.open("YT00000002").ok).toBe(true);
  });

  it("refuses a tube with people in it, a sealed or unknown tube, and an empty reason", () => {
    const s = station();
    s.open("YT00000001");
    expect(s.abandon("YT00000001", " ")).toEqual({ ok: false, error: { code: "reason_required" } });
    const added = s.register("YT00000001", residents[0] as Resident);
    expect(s.abandon("YT00000001", "扫错试管")).toEqual({
      ok: false,
      error: { code: "tube_not_empty", tubeCode: "YT00000001", count: 1 },
    });
    // Once its only person is voided it is empty again and may be abandoned.
    if (added.ok) s.void(added.value.registrationId, "扫错人");
    expect(s.abandon("YT00000001", "扫错试管").ok).toBe(true);
    expect(s.abandon("YT00000001", "扫错试管")).toMatchObject({ ok: false, error: { code: "tube_void" } });
    expect(s.abandon("NOPE0001", "扫错试管")).toMatchObject({ ok: false, error: { code: "no_such_tube" } });
    s.open("YT00000002");
    s.register("YT00000002", residents[1] as Resident);
    s.seal("YT00000002", true);
    expect(s.abandon("YT00000002", "扫错试管")).toMatchObject({ ok: false, error: { code: "tube_sealed" } });
  });

  it("a projected abandon of a tube that has people (another device's stale decision) changes nothing", () => {
    const s = station();
    s.open("YT00000001");
    s.register("YT00000001", residents[0] as Resident);
    s.log.push(
      eventStream("device-0001", "DEMO", "staff-1", 99).next("tube.abandoned", { tubeCode: "YT00000001", reason: "x" }),
    );
    const state = s.state();
    expect(state.tubes.get("YT00000001")?.status).toBe("open");
    expect(state.anomalies.map((a) => a.problem)).toContain("abandoned_with_members");
  });
});
