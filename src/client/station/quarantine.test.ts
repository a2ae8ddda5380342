// The quarantine over a real Dexie database (fake-indexeddb): decisions are events, and decided events leave the state.
import "fake-indexeddb/auto";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../data/db";
import { allEvents, countRejected, markSyncResults, recordEvent } from "../data/eventLog";
import { discardQuarantined, listQuarantine, resubmitQuarantined } from "./quarantine";
import { StationStore } from "./stationStore";

const author = { staffId: "staff-1", siteCode: "DEMO" };

beforeEach(async () => {
  await db.delete();
  await db.open();
});

async function tubeWithTwo(store: StationStore) {
  const opened = await recordEvent(author, "tube.opened", { tubeCode: "YT00000001", capacity: 5 });
  const registration = (name: string, docNumber: string) =>
    recordEvent(author, "registration.added", {
      registrationId: crypto.randomUUID(),
      tubeCode: "YT00000001",
      resident: { name, docType: "PP", docNumber },
    });
  const first = await registration("张三", "E10000001");
  const second = await registration("李四", "E10000002");
  for (const event of [opened, first, second]) await store.apply(event);
  // The server accepted the first two and rejected the third.
  await markSyncResults([opened.id, first.id], [{ id: second.id, code: "invalid_event", message: "bad name" }]);
  return { first, second };
}

describe("quarantine", () => {
  it("lists rejected events, and resubmits a corrected registration in place of the rejected one", async () => {
    const store = new StationStore();
    await store.load();
    const { second } = await tubeWithTwo(store);
    const listed = await listQuarantine();
    expect(listed.map((s) => [s.id, s.rejection?.code])).toEqual([[second.id, "invalid_event"]]);

    const [stored] = listed;
    if (!stored) throw new Error("nothing listed");
    expect(await resubmitQuarantined(author, stored, "  ")).toEqual({ ok: false, error: { code: "reason_required" } });
    const badFix = await resubmitQuarantined(author, stored, "改名", { name: "李四", docType: "ID", docNumber: "123" });
    expect(badFix).toMatchObject({ ok: false, error: { code: "invalid_resident" } });

    const fixed = await resubmitQuarantined(
      author,
      stored,
      "姓名更正",
      { name: "李思", docType: "PP", docNumber: "E10000002" },
      store,
    );
    expect(fixed.ok).toBe(true);
    expect(await listQuarantine()).toEqual([]);
    expect(await countRejected()).toBe(0);

    // Two new events wait to be pushed: the replacement and the decision naming both.
    const pending = (await db.events.where("syncState").equals("pending").sortBy("seq")).map((s) => s.event);
    expect(pending.map((e) => e.type)).toEqual(["registration.added", "quarantine.resolved"]);
    const [replacement, decision] = pending;
    expect(replacement?.type === "registration.added" && replacement.payload.resident.name).toBe("李思");
    expect(decision?.payload).toEqual({
      eventId: second.id,
      decision: "resubmitted",
      reason: "姓名更正",
      rejectionCode: "invalid_event",
      replacementId: replacement?.id,
    });
    // The state holds the corrected registration, once.
    const tube = store.getSnapshot().state.tubes.get("YT00000001");
    expect(tube?.registrationIds).toHaveLength(2);
    const names = tube?.registrationIds.map((id) => store.getSnapshot().state.registrations.get(id)?.resident.name);
    expect(names).toEqual(["张三", "李思"]);
    // Deciding twice is refused.
    expect(await discardQuarantined(author, second.id, "again", store)).toEqual({
      ok: false,
      error: { code: "not_quarantined" },
    });
  });

  it("discards with a reason; the event stays in the log but leaves the state, also after a restart", async () => {
    const store = new StationStore();
    await store.load();
    const { second } = await tubeWithTwo(store);
    expect(await discardQuarantined(author, second.id, "", store)).toEqual({
      ok: false,
      error: { code: "reason_required" },
    });
    expect(await discardQuarantined(author, second.id, "重复登记，人已离开", store)).toEqual({
      ok: true,
      value: undefined,
    });
    expect(store.getSnapshot().state.tubes.get("YT00000001")?.registrationIds).toHaveLength(1);
    expect((await allEvents()).some((e) => e.id === second.id)).toBe(true);
    expect((await db.events.get(second.id))?.resolution).toMatchObject({
      decision: "discarded",
      reason: "重复登记，人已离开",
    });
    const restarted = await new StationStore().load();
    expect(restarted.tubes.get("YT00000001")?.registrationIds).toHaveLength(1);
  });
});
