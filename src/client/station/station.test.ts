// The station's input path over a real Dexie database (IndexedDB provided by fake-indexeddb in Node).
import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SiteConfig } from "../../domain/protocol";
import { DEFAULT_BOX_PATTERN, DEFAULT_TUBE_PATTERN } from "../../domain/scanCodes";
import { UNDO_WINDOW_MS } from "../../domain/station";
import { db } from "../data/db";
import { allEvents, countPending } from "../data/eventLog";
import { recallOf, saveRecallList } from "../data/recallList";
import { Station } from "./station";
import { StationStore } from "./stationStore";

const site: SiteConfig = {
  code: "DEMO",
  name: "Demo",
  poolSize: 5,
  tubePattern: DEFAULT_TUBE_PATTERN,
  boxPattern: DEFAULT_BOX_PATTERN,
  phoneRequired: false,
};
const author = { staffId: "staff-1", siteCode: "DEMO" };

beforeEach(async () => {
  await db.delete();
  await db.open();
});

describe("station input path", () => {
  it("handles inputs that arrive before the previous one is saved, in order", async () => {
    const station = new Station(author, site, () => {}, new StationStore());
    // Not awaited one by one: a scanner delivers codes faster than IndexedDB commits.
    const outcomes = await Promise.all([
      station.submitScan("YT00000001"),
      station.submitScan("SP1|张三|ID|11010519491231002X"),
      station.submitScan("SP1|李四|ID|440524188001010014"),
      station.submitScan("SP1|张三|ID|11010519491231002X"),
    ]);
    expect(outcomes.map((o) => (o.ok ? o.action : o.problem.code))).toEqual([
      "tube-opened",
      "registered",
      "registered",
      "already_in_tube",
    ]);
    const events = await allEvents();
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [1, "tube.opened"],
      [2, "registration.added"],
      [3, "registration.added"],
    ]);
    expect(await countPending()).toBe(3);
  });

  it("asks for the name of a bare ID number, then registers it by manual entry", async () => {
    const station = new Station(author, site, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    expect(await station.submitScan("11010519491231002x")).toEqual({
      ok: true,
      action: "needs-name",
      docType: "ID",
      docNumber: "11010519491231002X",
    });
    expect(await station.register({ name: "张三", docType: "ID", docNumber: "11010519491231002X" })).toMatchObject({
      ok: true,
      action: "registered",
      count: 1,
    });
    expect(await station.register({ name: "张三", docType: "ID", docNumber: "110105194912310021" })).toMatchObject({
      ok: false,
      problem: { code: "invalid_resident", error: { code: "bad_document", reason: "bad_check_digit" } },
    });
  });

  it("requires a phone number where the site says so", async () => {
    const station = new Station(author, { ...site, phoneRequired: true }, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    expect(await station.submitScan("SP1|张三|ID|11010519491231002X")).toMatchObject({
      ok: false,
      problem: { code: "phone_required" },
    });
    expect(await station.submitScan("SP1|张三|ID|11010519491231002X|13812345678")).toMatchObject({ ok: true });
  });

  it("reports full tubes; the full tube seals on the next tube's scan, which opens that tube", async () => {
    const station = new Station(author, { ...site, poolSize: 1 }, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    expect(await station.submitScan("SP1|张三|ID|11010519491231002X")).toMatchObject({
      full: true,
      count: 1,
      capacity: 1,
    });
    expect(await station.submitScan("YT00000002")).toEqual({
      ok: true,
      action: "sealed-and-opened",
      sealedTubeCode: "YT00000001",
      count: 1,
      tubeCode: "YT00000002",
    });
    // Both events are written by the time the outcome returns.
    expect((await allEvents()).slice(-2).map((e) => [e.type, e.payload])).toEqual([
      ["tube.sealed", { tubeCode: "YT00000001", count: 1, short: false }],
      ["tube.opened", { tubeCode: "YT00000002", capacity: 1 }],
    ]);
    expect(await station.submitScan("SP1|李四|ID|440524188001010014")).toMatchObject({
      action: "registered",
      count: 1,
    });
  });

  it("refuses a second tube while the open one is not full, and writes nothing", async () => {
    const station = new Station(author, site, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    await station.submitScan("SP1|张三|ID|11010519491231002X");
    expect(await station.submitScan("YT00000002")).toEqual({
      ok: false,
      problem: { code: "tube_already_open", tubeCode: "YT00000001" },
    });
    expect((await allEvents()).map((e) => e.type)).toEqual(["tube.opened", "registration.added"]);
  });

  it("a used tube code does not seal the full tube (nothing is written)", async () => {
    const station = new Station(author, { ...site, poolSize: 1 }, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    await station.submitScan("SP1|张三|ID|11010519491231002X");
    await station.submitScan("YT00000002");
    await station.submitScan("SP1|李四|ID|440524188001010014");
    const before = (await allEvents()).length;
    expect(await station.submitScan("YT00000001")).toEqual({
      ok: false,
      problem: { code: "tube_exists", tubeCode: "YT00000001", status: "sealed" },
    });
    expect(await allEvents()).toHaveLength(before);
  });

  it("seals the open tube when its own code is scanned again; a short tube asks first", async () => {
    const station = new Station(author, site, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    // Right after opening, a second read of the same label is a double read, not a seal.
    expect(await station.submitScan("YT00000001")).toEqual({ ok: true, action: "ignored" });
    await station.submitScan("SP1|张三|ID|11010519491231002X");
    expect(await station.submitScan("yt00000001")).toEqual({
      ok: false,
      problem: { code: "short_needs_confirmation", count: 1, capacity: 5 },
    });
    expect((await allEvents()).map((e) => e.type)).toEqual(["tube.opened", "registration.added"]);
    expect(await station.seal(true)).toEqual({
      ok: true,
      action: "sealed",
      tubeCode: "YT00000001",
      count: 1,
      short: true,
    });
    expect(await station.submitScan("YT00000002")).toMatchObject({ ok: true, action: "tube-opened" });
  });

  it("seals a full tube by its own code without a question", async () => {
    const station = new Station(author, { ...site, poolSize: 1 }, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    await station.submitScan("SP1|张三|ID|11010519491231002X");
    expect(await station.submitScan("YT00000001")).toEqual({
      ok: true,
      action: "sealed",
      tubeCode: "YT00000001",
      count: 1,
      short: false,
    });
  });

  it("reports a failed write as a problem, and the registration is not counted", async () => {
    const station = new Station(author, site, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    db.close();
    const outcome = await station.submitScan("SP1|张三|ID|11010519491231002X");
    expect(outcome).toMatchObject({ ok: false, problem: { code: "storage_failed" } });
  });

  it("sees what another tab recorded before deciding (two tabs: one store each, one event log)", async () => {
    const tabA = new Station(author, site, () => {}, new StationStore());
    const storeB = new StationStore();
    const tabB = new Station(author, site, () => {}, storeB);
    await storeB.load();
    expect(await tabA.submitScan("YT00000001")).toMatchObject({ ok: true, action: "tube-opened" });
    // Tab B loaded before A opened the tube; it must not open another beside it.
    expect(await tabB.submitScan("YT00000002")).toMatchObject({
      ok: false,
      problem: { code: "tube_already_open", tubeCode: "YT00000001" },
    });
    // And it registers into A's tube.
    expect(await tabB.submitScan("SP1|张三|ID|11010519491231002X")).toMatchObject({ ok: true, action: "registered" });
    expect((await allEvents()).map((e) => e.type)).toEqual(["tube.opened", "registration.added"]);
  });

  it("a refusal decided on a stale state is decided again (another tab opened a tube; this one scans a resident)", async () => {
    const tabA = new Station(author, site, () => {}, new StationStore());
    const storeB = new StationStore();
    const tabB = new Station(author, site, () => {}, storeB);
    await storeB.load();
    await tabA.submitScan("YT00000001");
    // B's state has no open tube, so on its own it would ask for a tube code first.
    expect(await tabB.submitScan("SP1|张三|ID|11010519491231002X")).toMatchObject({
      ok: true,
      action: "registered",
      tubeCode: "YT00000001",
    });
    // And A, now behind B, writes after B's registration rather than over it.
    expect(await tabA.submitScan("SP1|李四|ID|440524188001010014")).toMatchObject({ ok: true, count: 2 });
    expect((await allEvents()).map((e) => [e.seq, e.type])).toEqual([
      [1, "tube.opened"],
      [2, "registration.added"],
      [3, "registration.added"],
    ]);
  });
});

describe("a used tube's label scanned while another tube is open", () => {
  it("says the tube was already used, not that the open tube is still open, and writes nothing", async () => {
    const station = new Station(author, site, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    await station.submitScan("SP1|张三|ID|11010519491231002X");
    await station.seal(true, 1);
    await station.submitScan("YT00000002");
    await station.submitScan("SP1|李四|ID|440524188001010014");
    const before = (await allEvents()).length;
    expect(await station.submitScan("YT00000001")).toMatchObject({
      ok: false,
      problem: { code: "tube_exists", tubeCode: "YT00000001", status: "sealed" },
    });
    expect(await allEvents()).toHaveLength(before);
  });
});

describe("abandoning an empty tube", () => {
  it("records tube.abandoned with the chip's Chinese label; the next label opens a new tube", async () => {
    const station = new Station(author, site, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    expect(await station.abandonTube("YT00000001", { code: "wrong_label" })).toEqual({
      ok: true,
      action: "abandoned",
      tubeCode: "YT00000001",
    });
    expect((await allEvents()).at(-1)).toMatchObject({
      type: "tube.abandoned",
      payload: { tubeCode: "YT00000001", reason: "扫错试管" },
    });
    expect(await station.submitScan("YT00000002")).toMatchObject({ ok: true, action: "tube-opened" });
    expect(await station.submitScan("SP1|张三|ID|11010519491231002X")).toMatchObject({ ok: true, count: 1 });
    expect(await station.abandonTube("YT00000002", { code: "wrong_label" })).toMatchObject({
      ok: false,
      problem: { code: "tube_not_empty" },
    });
  });
});

describe("packing boxes", () => {
  it("counts the tubes in the box after each one is packed (1, then 2)", async () => {
    const station = new Station(author, { ...site, poolSize: 1 }, () => {}, new StationStore());
    for (const [tube, resident] of [
      ["YT00000001", "SP1|张三|ID|11010519491231002X"],
      ["YT00000002", "SP1|李四|ID|440524188001010014"],
    ] as const) {
      await station.submitScan(tube);
      await station.submitScan(resident);
      await station.seal(false);
    }
    expect(await station.submitBoxScan("BOX-000001")).toMatchObject({ ok: true, action: "box-opened" });
    expect(await station.submitBoxScan("YT00000001")).toMatchObject({ ok: true, action: "boxed", count: 1 });
    expect(await station.submitBoxScan("YT00000002")).toMatchObject({ ok: true, action: "boxed", count: 2 });
  });
});

describe("typed input is normalised before validation", () => {
  it("registers what a full-width Chinese IME typed, name untouched", async () => {
    const station = new Station(author, site, () => {}, new StationStore());
    expect(await station.submitScan("ＹＴ０００００００１")).toMatchObject({ ok: true, tubeCode: "YT00000001" });
    expect(
      await station.submitScan(
        "ＳＰ１｜张三｜ＩＤ｜１１０１０５１９４９１２３１００２ｘ｜＋８６ １３８-１２３４-５６７８",
      ),
    ).toMatchObject({ ok: true, action: "registered", name: "张三" });
    expect(await station.submitScan("４４０５２４ １８８００１０１ ００１４")).toEqual({
      ok: true,
      action: "needs-name",
      docType: "ID",
      docNumber: "440524188001010014",
    });
    const [, added] = await allEvents();
    expect(added?.payload).toMatchObject({
      resident: { name: "张三", docType: "ID", docNumber: "11010519491231002X", phone: "13812345678" },
    });
  });

  it("normalises the manual form's number fields", async () => {
    const station = new Station(author, site, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    expect(
      await station.register({
        name: " 李四 ",
        docType: "ID",
        docNumber: "４４０５２４ １８８００１０１ ００１４",
        phone: "0086 138 1234 5678",
        community: "  ",
      }),
    ).toMatchObject({ ok: true, action: "registered", name: "李四" });
    expect((await allEvents()).at(-1)?.payload).toMatchObject({
      resident: { name: "李四", docType: "ID", docNumber: "440524188001010014", phone: "13812345678" },
    });
  });

  it("normalises a typed transfer target", async () => {
    const station = new Station(author, site, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    await station.submitScan("SP1|张三|ID|11010519491231002X");
    expect(await station.transfer("YT00000001", " ｙｔ０００００００２ ", "试管破损")).toMatchObject({
      ok: true,
      toTubeCode: "YT00000002",
    });
  });

  it("refuses a garbled gun code with garbled_code and records nothing", async () => {
    const station = new Station(author, site, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    expect(await station.submitScan("SP1|??|ID|11010519491231002X\r\n")).toEqual({
      ok: false,
      problem: { code: "garbled_code" },
    });
    expect(await station.submitScan("SP1||ID|11010519491231002X")).toEqual({
      ok: false,
      problem: { code: "garbled_code" },
    });
    expect((await allEvents()).map((e) => e.type)).toEqual(["tube.opened"]);
  });
});

describe("one-tap undo of the last registration", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gives the registration's id and deadline, and undoes it as a void with the reason 撤销", async () => {
    const station = new Station(author, site, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    await station.submitScan("SP1|李四|ID|440524188001010014");
    const before = Date.now();
    const registered = await station.submitScan("SP1|张三|ID|11010519491231002X");
    if (!registered.ok || registered.action !== "registered") throw new Error("not registered");
    expect(registered.undoUntil).toBeGreaterThanOrEqual(before + UNDO_WINDOW_MS);
    expect(registered.undoUntil).toBeLessThanOrEqual(Date.now() + UNDO_WINDOW_MS);
    expect(await station.undoRegistration(registered.registrationId)).toEqual({
      ok: true,
      action: "undone",
      registrationId: registered.registrationId,
      tubeCode: "YT00000001",
      name: "张三",
      count: 1,
    });
    expect((await allEvents()).at(-1)).toMatchObject({
      type: "registration.voided",
      payload: { registrationId: registered.registrationId, tubeCode: "YT00000001", reason: "撤销" },
    });
    // Undone once: nothing left to undo; the person can be registered again at once.
    expect(await station.undoLast()).toEqual({ ok: false, problem: { code: "nothing_to_undo" } });
    expect(await station.submitScan("SP1|张三|ID|11010519491231002X")).toMatchObject({
      action: "registered",
      count: 2,
    });
  });

  it("undoLast() undoes this station's latest registration; nothing before any", async () => {
    const station = new Station(author, site, () => {}, new StationStore());
    expect(await station.undoLast()).toEqual({ ok: false, problem: { code: "nothing_to_undo" } });
    await station.submitScan("YT00000001");
    await station.submitScan("SP1|张三|ID|11010519491231002X");
    expect(await station.undoLast()).toMatchObject({ ok: true, action: "undone", name: "张三", count: 0 });
  });

  it("refuses after the window has passed", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-03T08:00:00Z"));
    const station = new Station(author, site, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    const registered = await station.submitScan("SP1|张三|ID|11010519491231002X");
    if (!registered.ok || registered.action !== "registered") throw new Error("not registered");
    expect(registered.undoUntil).toBe(Date.parse("2026-12-03T08:00:00Z") + UNDO_WINDOW_MS);
    vi.setSystemTime(registered.undoUntil + 1);
    expect(await station.undoLast()).toEqual({ ok: false, problem: { code: "undo_expired", seconds: 10 } });
    expect((await allEvents()).map((e) => e.type)).toEqual(["tube.opened", "registration.added"]);
  });

  it("refuses once the tube is sealed (also when it sealed on the next tube's scan)", async () => {
    const station = new Station(author, { ...site, poolSize: 1 }, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    const registered = await station.submitScan("SP1|张三|ID|11010519491231002X");
    if (!registered.ok || registered.action !== "registered") throw new Error("not registered");
    await station.submitScan("YT00000002");
    expect(await station.undoLast()).toEqual({
      ok: false,
      problem: { code: "undo_tube_sealed", tubeCode: "YT00000001" },
    });
  });
});

describe("preset reasons (chips) and 'other' text", () => {
  it("stores a void chip's Chinese label", async () => {
    const station = new Station(author, site, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    const registered = await station.submitScan("SP1|张三|ID|11010519491231002X");
    if (!registered.ok || registered.action !== "registered") throw new Error("not registered");
    expect(await station.voidRegistration(registered.registrationId, { code: "wrong_person" })).toMatchObject({
      ok: true,
      action: "voided",
    });
    expect((await allEvents()).at(-1)?.payload).toMatchObject({ reason: "扫错人" });
  });

  it("stores 'other' text as typed; refuses it empty or unknown codes, writing nothing", async () => {
    const station = new Station(author, site, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    await station.submitScan("SP1|张三|ID|11010519491231002X");
    expect(await station.transfer("YT00000001", "YT00000002", { code: "other", otherText: "  " })).toEqual({
      ok: false,
      problem: { code: "reason_required" },
    });
    expect(await station.transfer("YT00000001", "YT00000002", { code: "refused" })).toEqual({
      ok: false,
      problem: { code: "unknown_reason", reasonCode: "refused" },
    });
    expect((await allEvents()).map((e) => e.type)).toEqual(["tube.opened", "registration.added"]);
    expect(
      await station.transfer("YT00000001", "YT00000002", { code: "other", otherText: "采样时掉落" }),
    ).toMatchObject({ ok: true, action: "transferred" });
    expect((await allEvents()).at(-1)?.payload).toMatchObject({ reason: "采样时掉落" });
  });

  it("re-samples with a repeat-sampling chip", async () => {
    const station = new Station(author, { ...site, poolSize: 1 }, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    await station.submitScan("SP1|张三|ID|11010519491231002X");
    await station.submitScan("YT00000002");
    const again = await station.submitScan("SP1|张三|ID|11010519491231002X");
    expect(again).toMatchObject({ ok: false, problem: { code: "registered_today" } });
    if (again.ok || !again.resident) throw new Error("no resident to retry");
    expect(await station.register(again.resident, { code: "recheck" })).toMatchObject({
      ok: true,
      action: "registered",
    });
    expect((await allEvents()).at(-1)?.payload).toMatchObject({ repeatReason: "复检" });
  });
});

describe("seal-early question and registrations after it", () => {
  it("re-asks with the current count, and a tube that filled up seals without a question", async () => {
    const station = new Station(author, site, () => {}, new StationStore());
    await station.submitScan("YT00000001");
    await station.submitScan("SP1|张三|ID|11010519491231002X");
    expect(await station.seal(false)).toEqual({
      ok: false,
      problem: { code: "short_needs_confirmation", count: 1, capacity: 5 },
    });
    // The question (1/5) stays on screen while scanning goes on.
    await station.submitScan("SP1|李四|ID|440524188001010014");
    expect(await station.seal(true, 1)).toEqual({
      ok: false,
      problem: { code: "short_needs_confirmation", count: 2, capacity: 5 },
    });
    expect((await allEvents()).map((e) => e.type)).not.toContain("tube.sealed");
    expect(await station.seal(true, 2)).toMatchObject({ ok: true, action: "sealed", count: 2, short: true });
  });

  it("flags a recalled resident and opens the next tube for them alone, linked to the recall", async () => {
    const recallId = "00000000-0000-4000-8000-00000000ec01";
    await saveRecallList("DEMO", [
      { id: recallId, name: "张三", docType: "ID", docNumber: "11010519491231002X", tubeCode: "YT00000077" },
    ]);
    const station = new Station(author, site, () => {}, new StationStore());
    // In a pooled tube: refused there, with the instruction.
    await station.submitScan("YT00000001");
    expect(await station.submitScan("SP1|张三|ID|11010519491231002X")).toMatchObject({
      ok: false,
      problem: { code: "recalled_resident", name: "张三", tubeOpen: true },
    });
    expect(await station.submitScan("SP1|李四|ID|440524188001010014")).toMatchObject({
      ok: true,
      action: "registered",
    });
    await station.seal(true, 1);
    // With no tube open: the resident first, then a new tube — it opens for them alone and registers them.
    expect(await station.submitScan("SP1|张三|ID|11010519491231002X")).toMatchObject({
      ok: false,
      problem: { code: "recalled_resident", tubeOpen: false },
    });
    expect(await station.submitScan("YT00000009")).toMatchObject({
      ok: true,
      action: "registered",
      tubeCode: "YT00000009",
      capacity: 1,
      full: true,
    });
    const opened = (await allEvents()).filter((e) => e.type === "tube.opened");
    expect(opened.at(-1)?.payload).toEqual({ tubeCode: "YT00000009", capacity: 1, recallId });
    // Someone not recalled is registered as ever.
    expect(recallOf("ID", "440524188001010014")).toBeUndefined();
  });
});
