// The per-site-per-day counters on both stores: kept exact by the triggers through pushes (with voids, seals,
// transfers, abandons, boxes), lab receipts and changed results; Beijing days and ten-minute buckets; a recount
// agrees, finds a tampered counter, and fixes it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LoginResponse, PushResponse } from "../../domain/protocol";
import { eventStream, nextTestUuid } from "../../domain/testEvents";
import { runCommand } from "../cli/commands";
import { DEMO_LOGIN } from "../sites/demo";
import { startTestServer, TEST_STORES, type TestServer } from "../testServer";
import { recount, storedCounts } from "./counters";

describe.each(TEST_STORES)("counters on %s", (kind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ kind });
    const ctx = { store: server.store, dataDir: server.dataDir, actor: "test" };
    await runCommand(["add-lab", "LAB01", "芝罘区疾控PCR实验室"], ctx);
    await runCommand(["add-staff", "lab1", "检验员甲", "--lab", "LAB01", "--password", "lab-password-1"], ctx);
  });
  afterEach(async () => {
    await server.dispose();
  });

  const inject = (url: string, token: string | undefined, payload: unknown) =>
    server.app.inject({
      method: "POST",
      url,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      payload: payload as object,
    });

  it("count registrations, tubes, boxes, receipts and standing results per Beijing day, exactly", async () => {
    const login = (
      await inject("/api/v1/auth/login", undefined, { ...DEMO_LOGIN, deviceId: "device-counters-1" })
    ).json<LoginResponse>();
    const events = eventStream("device-counters-1", "DEMO", login.staff.id);
    const at = (occurredAt: string) => ({ occurredAt });
    const resident = (n: number) => ({
      name: `居民${"一二三四五六七八九"[n]}`,
      docType: "PP" as const,
      docNumber: `E1234567${n}`,
    });
    const ids = [nextTestUuid(), nextTestUuid(), nextTestUuid(), nextTestUuid()];
    const batch = [
      // 00:30 Beijing on 3 August is still 2 August in UTC: it counts on the 3rd, in bucket 3.
      events.next("tube.opened", { tubeCode: "TC000001", capacity: 5 }, at("2021-08-02T16:30:00Z")),
      events.next(
        "registration.added",
        { registrationId: ids[0] as string, tubeCode: "TC000001", resident: resident(0) },
        at("2021-08-02T16:31:00Z"),
      ),
      events.next(
        "registration.added",
        { registrationId: ids[1] as string, tubeCode: "TC000001", resident: resident(1) },
        at("2021-08-03T09:15:00+08:00"),
      ),
      events.next(
        "registration.added",
        { registrationId: ids[2] as string, tubeCode: "TC000001", resident: resident(2) },
        at("2021-08-03T09:16:00+08:00"),
      ),
      events.next(
        "registration.voided",
        { registrationId: ids[2] as string, tubeCode: "TC000001", reason: "录错" },
        at("2021-08-03T09:17:00+08:00"),
      ),
      events.next("tube.sealed", { tubeCode: "TC000001", count: 2, short: true }, at("2021-08-03T09:18:00+08:00")),
      // A tube damaged: its person moves to a new tube; another opened by mistake and abandoned; one left open.
      events.next("tube.opened", { tubeCode: "TC000002", capacity: 5 }, at("2021-08-03T09:20:00+08:00")),
      events.next(
        "registration.added",
        { registrationId: ids[3] as string, tubeCode: "TC000002", resident: resident(3) },
        at("2021-08-03T09:21:00+08:00"),
      ),
      events.next(
        "tube.transferred",
        { fromTubeCode: "TC000002", toTubeCode: "TC000003", reason: "破损" },
        at("2021-08-03T09:22:00+08:00"),
      ),
      events.next("tube.opened", { tubeCode: "TC000004", capacity: 5 }, at("2021-08-03T09:23:00+08:00")),
      events.next("tube.abandoned", { tubeCode: "TC000004", reason: "扫错" }, at("2021-08-03T09:24:00+08:00")),
      events.next("box.opened", { boxCode: "BOXC-1" }, at("2021-08-03T09:30:00+08:00")),
      events.next("box.tube_added", { boxCode: "BOXC-1", tubeCode: "TC000001" }, at("2021-08-03T09:30:10+08:00")),
      events.next("box.closed", { boxCode: "BOXC-1", tubeCount: 1 }, at("2021-08-03T09:31:00+08:00")),
      events.next(
        "box.handed_over",
        { boxCode: "BOXC-1", courierName: "刘师傅", courierPhone: "13900001111", labCode: "LAB01" },
        at("2021-08-03T09:32:00+08:00"),
      ),
      events.next("box.opened", { boxCode: "BOXC-2" }, at("2021-08-03T09:40:00+08:00")),
    ];
    const pushed = await inject("/api/v1/events/push", login.token, { deviceId: "device-counters-1", events: batch });
    expect(pushed.json<PushResponse>().results.filter((r) => r.status !== "accepted")).toEqual([]);

    const lab = (
      await inject("/api/v1/auth/console-login", undefined, { username: "lab1", password: "lab-password-1" })
    ).json<{ token: string }>();
    expect(
      (await inject("/api/v1/labs/LAB01/boxes/BOXC-1/receive", lab.token, { scannedTubes: ["TC000001"] })).statusCode,
    ).toBe(200);
    const result = (outcome: string, extra: object = {}) => ({
      resultId: `r-${outcome}`,
      tubeCode: "TC000001",
      outcome,
      resultedAt: "2021-08-03T15:00:00+08:00",
      ...extra,
    });
    expect((await inject("/api/v1/labs/LAB01/results", lab.token, { results: [result("positive")] })).statusCode).toBe(
      200,
    );
    // Changed on review: the positive no longer stands.
    expect(
      (await inject("/api/v1/labs/LAB01/results", lab.token, { results: [result("negative", { reason: "复核" })] }))
        .statusCode,
    ).toBe(200);

    const counts = await storedCounts(server.store.db);
    expect([...counts.keys()]).toEqual(["DEMO\u00002021-08-03"]);
    const day = counts.get("DEMO\u00002021-08-03");
    expect(day?.counts).toEqual({
      registrations: 3,
      voided: 1,
      tubes_open: 1, // TC000003, the transfer's new tube
      tubes_sealed: 1,
      tubes_short: 1,
      tubes_void: 2, // the damaged one and the abandoned one
      boxes_open: 1,
      boxes_closed: 0,
      boxes_handed_over: 1,
      boxes_received: 1,
      results_negative: 1,
      results_positive: 0,
      results_invalid: 0,
      results_rejected: 0,
    });
    const nonZero = Object.fromEntries((day?.buckets ?? []).flatMap((n, i) => (n ? [[i, n]] : [])));
    expect(nonZero).toEqual({ 3: 1, 55: 1, 56: 1 }); // 00:31, 09:15 and 09:21 (09:16 was voided)
    expect(day?.lastRegistrationAt).toBe("2021-08-03T01:21:00.000Z");
    expect(await recount(server.store.db)).toEqual([]);

    // A counter set wrong by hand is found by the recount, and fixed.
    await server.store.db.updateTable("site_day_counts").set({ registrations: 99 }).execute();
    expect(await recount(server.store.db)).toEqual([
      { siteCode: "DEMO", day: "2021-08-03", field: "registrations", stored: 99, recounted: 3 },
    ]);
    expect(await recount(server.store.db, { fix: true })).toHaveLength(1);
    expect(await recount(server.store.db)).toEqual([]);
    expect((await storedCounts(server.store.db)).get("DEMO\u00002021-08-03")?.counts.registrations).toBe(3);
  });
});
