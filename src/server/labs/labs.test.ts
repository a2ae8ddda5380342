// The lab loop on both stores, through the HTTP API in-process: labs and lab staff (CLI), console sign-in, receiving
// boxes (missing, extra, twice), results (idempotent, changes with a reason, refused when not received), the recall
// list of a positive pool, permissions, the resident status page and turnaround.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { idCheckCharacter } from "../../domain/documents";
import type { BoxForLab, ConsoleSession, RecallEntry, ReceiptReport, ResultRowOutcome } from "../../domain/labs";
import type { LoginResponse, PushResponse } from "../../domain/protocol";
import { eventStream, nextTestUuid } from "../../domain/testEvents";
import { runCommand } from "../cli/commands";
import { DEMO_LOGIN } from "../sites/demo";
import { startTestServer, TEST_STORES, type TestServer } from "../testServer";
import { MAX_RESULT_ROWS } from "./resultFile";

/** A valid mainland ID number: born 1980-01-01 + n days, with its check character. */
function idNumber(n: number): string {
  const birth = new Date(Date.UTC(1980, 0, 1) + n * 86_400_000).toISOString().slice(0, 10).replaceAll("-", "");
  const first17 = `110105${birth}${String(100 + (n % 800)).padStart(3, "0")}`;
  return first17 + idCheckCharacter(first17);
}

/** A resident's name for a number (names take no digits): 41 → 居民四一. */
const nameOf = (n: number) => `居民${[...String(n)].map((d) => "零一二三四五六七八九"[Number(d)]).join("")}`;

describe.each(TEST_STORES)("labs on %s", (kind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ kind, statusLimits: { windowMs: 60_000, perAddress: 100, perDocument: 5 } });
    const ctx = { store: server.store, dataDir: server.dataDir, actor: "test" };
    await runCommand(["add-lab", "LAB01", "芝罘区疾控PCR实验室"], ctx);
    await runCommand(["add-lab", "LAB02", "福山区PCR实验室"], ctx);
    await runCommand(["add-staff", "lab1", "检验员甲", "--lab", "LAB01", "--password", "lab-password-1"], ctx);
    await runCommand(["add-staff", "lab2", "检验员乙", "--lab", "LAB02", "--password", "lab-password-2"], ctx);
    await runCommand(
      ["add-staff", "lead1", "组长", "--site", "DEMO", "--role", "site_lead", "--password", "lead-password-1"],
      ctx,
    );
  });
  afterEach(async () => {
    await server.dispose();
  });

  const inject = (method: "GET" | "POST", url: string, token?: string, payload?: unknown) =>
    server.app.inject({
      method,
      url,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });

  async function consoleLogin(username: string, password: string): Promise<ConsoleSession> {
    const res = await inject("POST", "/api/v1/auth/console-login", undefined, { username, password });
    expect(res.statusCode).toBe(200);
    return res.json<ConsoleSession>();
  }

  async function phone(deviceId = "device-lab-test-1", login = DEMO_LOGIN) {
    const res = await inject("POST", "/api/v1/auth/login", undefined, { ...login, deviceId });
    expect(res.statusCode).toBe(200);
    const body = res.json<LoginResponse>();
    return { ...body, deviceId, events: eventStream(deviceId, body.site.code, body.staff.id) };
  }

  type Phone = Awaited<ReturnType<typeof phone>>;

  /** A tube of `people` residents, sealed, boxed alone or with others, handed over (to `lab` when given). */
  async function pushBox(p: Phone, box: string, tubes: { code: string; people: number[] }[], lab?: string) {
    const events = [];
    const registrations: Record<string, string[]> = {};
    for (const tube of tubes) {
      events.push(p.events.next("tube.opened", { tubeCode: tube.code, capacity: 10 }));
      registrations[tube.code] = [];
      for (const n of tube.people) {
        const registrationId = nextTestUuid();
        registrations[tube.code]?.push(registrationId);
        events.push(
          p.events.next("registration.added", {
            registrationId,
            tubeCode: tube.code,
            resident: {
              name: nameOf(n),
              docType: "ID" as const,
              docNumber: idNumber(n),
              phone: `139${String(n).padStart(8, "0")}`,
              community: "幸福里社区",
            },
          }),
        );
      }
      events.push(
        p.events.next("tube.sealed", {
          tubeCode: tube.code,
          count: tube.people.length,
          short: tube.people.length < 10,
        }),
      );
    }
    events.push(p.events.next("box.opened", { boxCode: box }));
    for (const tube of tubes) events.push(p.events.next("box.tube_added", { boxCode: box, tubeCode: tube.code }));
    events.push(p.events.next("box.closed", { boxCode: box, tubeCount: tubes.length }));
    events.push(
      p.events.next("box.handed_over", {
        boxCode: box,
        courierName: "刘师傅",
        courierPhone: "13900001111",
        ...(lab ? { labCode: lab } : {}),
      }),
    );
    const res = await inject("POST", "/api/v1/events/push", p.token, { deviceId: p.deviceId, events });
    expect(res.json<PushResponse>().results.filter((r) => r.status !== "accepted")).toEqual([]);
    return registrations;
  }

  const result = (tubeCode: string, outcome: string, extra: Record<string, unknown> = {}) => ({
    resultId: `r-${tubeCode}-${outcome}-${String(extra.reason ?? "")}`.replace(/[^A-Za-z0-9_.:-]/g, "x"),
    tubeCode,
    outcome,
    resultedAt: "2026-12-04T10:00:00+08:00",
    ...extra,
  });

  it("lab staff sign in to the console, not to a station; the console token cannot push", async () => {
    const station = await inject("POST", "/api/v1/auth/login", undefined, {
      username: "lab1",
      password: "lab-password-1",
      deviceId: "device-lab-phone-1",
    });
    expect(station.statusCode).toBe(403);
    expect(station.json()).toMatchObject({ code: "no_site" });
    const session = await consoleLogin("lab1", "lab-password-1");
    expect(session).toMatchObject({ staff: { role: "lab" }, lab: { code: "LAB01", name: "芝罘区疾控PCR实验室" } });
    const push = await inject("POST", "/api/v1/events/push", session.token, {
      deviceId: "console-x1234567",
      events: [{}],
    });
    expect(push.statusCode).toBe(403);
    expect(push.json()).toMatchObject({ code: "console_token" });
  });

  it("receives a box, flags a missing and an extra tube in a second, records a positive and lists exactly its residents", async () => {
    const p = await phone();
    const registrations = await pushBox(
      p,
      "BOXL-001",
      [{ code: "TL000001", people: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }],
      "LAB01",
    );
    await pushBox(p, "BOXL-002", [
      { code: "TL000002", people: [11, 12] },
      { code: "TL000003", people: [13] },
    ]);
    const lab = await consoleLogin("lab1", "lab-password-1");

    const box = await inject("GET", "/api/v1/labs/LAB01/boxes/BOXL-001", lab.token);
    expect(box.statusCode).toBe(200);
    expect(box.json<BoxForLab>()).toMatchObject({
      siteCode: "DEMO",
      destinationLab: "LAB01",
      tubes: [{ tubeCode: "TL000001", registrations: 10, sealedCount: 10, received: false }],
      receipt: null,
    });
    const first = await inject("POST", "/api/v1/labs/LAB01/boxes/BOXL-001/receive", lab.token, {
      scannedTubes: ["TL000001"],
    });
    expect(first.json<ReceiptReport>()).toMatchObject({
      received: ["TL000001"],
      missing: [],
      extra: [],
      alreadyReceived: false,
    });
    // The second box: one tube missing at the bench, one stranger scanned.
    const second = await inject("POST", "/api/v1/labs/LAB01/boxes/BOXL-002/receive", lab.token, {
      scannedTubes: ["TL000002", "TL999999"],
    });
    expect(second.json<ReceiptReport>()).toMatchObject({
      expected: ["TL000002", "TL000003"],
      received: ["TL000002"],
      missing: ["TL000003"],
      extra: [{ tubeCode: "TL999999", flag: "extra_unknown" }],
      unsynced: [],
    });
    // Two benches receive box 1 again at the same moment: both answer its first receipt.
    const both = await Promise.all([
      inject("POST", "/api/v1/labs/LAB01/boxes/BOXL-001/receive", lab.token, {}),
      inject("POST", "/api/v1/labs/LAB01/boxes/BOXL-001/receive", lab.token, {}),
    ]);
    expect(both.map((r) => [r.statusCode, r.json<ReceiptReport>().alreadyReceived])).toEqual([
      [200, true],
      [200, true],
    ]);
    // Received twice: nothing changes.
    const again = await inject("POST", "/api/v1/labs/LAB01/boxes/BOXL-002/receive", lab.token, {});
    expect(again.json<ReceiptReport>()).toMatchObject({ alreadyReceived: true, received: ["TL000002"] });
    expect(
      await server.store.db.selectFrom("tube_receipts").select("tube_code").orderBy("tube_code").execute(),
    ).toEqual([{ tube_code: "TL000001" }, { tube_code: "TL000002" }]);

    // Results: a positive pooled tube recalls its ten residents at once; the missing tube is refused.
    const posted = await inject("POST", "/api/v1/labs/LAB01/results", lab.token, {
      results: [result("TL000001", "positive", { ct: { ORF1ab: 28.4, N: 27.1 } }), result("TL000003", "negative")],
    });
    expect(posted.statusCode).toBe(200);
    expect(posted.json<{ rows: ResultRowOutcome[] }>().rows).toEqual([
      expect.objectContaining({ tubeCode: "TL000001", status: "recorded", recalled: 10 }),
      expect.objectContaining({ tubeCode: "TL000003", status: "refused", code: "not_received" }),
    ]);
    // The missing tube turns up later: received on its own (once), then its result is taken.
    const late = await inject("POST", "/api/v1/labs/LAB01/tubes/TL000003/receive", lab.token, {});
    expect(late.json()).toMatchObject({ tubeCode: "TL000003", boxCode: "BOXL-002", alreadyReceived: false });
    expect((await inject("POST", "/api/v1/labs/LAB01/tubes/TL000003/receive", lab.token, {})).json()).toMatchObject({
      alreadyReceived: true,
    });
    const stranger = await inject("POST", "/api/v1/labs/LAB01/tubes/TL404404/receive", lab.token, {});
    expect([stranger.statusCode, stranger.json().code]).toEqual([404, "unknown_tube"]);
    const lateResult = await inject("POST", "/api/v1/labs/LAB01/results", lab.token, {
      results: [result("TL000003", "negative")],
    });
    expect(lateResult.json<{ rows: ResultRowOutcome[] }>().rows[0]).toMatchObject({ status: "recorded" });
    const recalls = await inject("GET", "/api/v1/labs/LAB01/recalls?tube=TL000001", lab.token);
    const list = recalls.json<{ recalls: RecallEntry[] }>().recalls;
    expect(list.map((r) => r.docNumber).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(idNumber).sort());
    expect(list.every((r) => r.phone?.startsWith("139") && r.state === "to_contact" && r.siteName !== "")).toBe(true);
    expect(new Set(list.map((r) => r.staffName))).toEqual(new Set(["演示登记员 Demo collector"]));
    expect(registrations.TL000001?.length).toBe(10);

    // Exported: CSV with a BOM that round-trips the names, XLSX that ExcelJS reads back with the full numbers.
    const csv = await inject("GET", "/api/v1/labs/LAB01/recalls/export?format=csv&tube=TL000001", lab.token);
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.body).toContain(nameOf(7));
    expect(csv.body.trim().split("\n")).toHaveLength(11);
    const xlsx = await inject("GET", "/api/v1/labs/LAB01/recalls/export?format=xlsx&tube=TL000001", lab.token);
    const { default: ExcelJS } = await import("exceljs");
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const numbers: string[] = [];
    book.worksheets[0]?.eachRow((row, n) => {
      if (n > 1) numbers.push(String(row.getCell(3).value));
    });
    expect(numbers.sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(idNumber).sort());

    // The site sees its recall list too; marking one contacted is audited.
    const siteList = await inject("GET", "/api/v1/sites/DEMO/recalls", p.token);
    expect(siteList.json<{ recalls: RecallEntry[] }>().recalls).toHaveLength(10);
    const one = list[0] as RecallEntry;
    const contacted = await inject("POST", `/api/v1/recalls/${one.id}/contacted`, p.token, { state: "contacted" });
    expect(contacted.statusCode).toBe(200);
    const twice = await inject("POST", `/api/v1/recalls/${one.id}/contacted`, p.token, { state: "contacted" });
    expect(twice.json()).toMatchObject({ code: "recall_state" });

    // The station re-samples that resident alone, in a tube linked to the recall; its negative result closes it.
    const person = await server.store.db
      .selectFrom("registrations")
      .select(["name", "doc_number", "phone"])
      .where(
        "id",
        "=",
        (
          await server.store.db
            .selectFrom("recalls")
            .select("registration_id")
            .where("id", "=", one.id)
            .executeTakeFirstOrThrow()
        ).registration_id,
      )
      .executeTakeFirstOrThrow();
    const single = [
      p.events.next("tube.opened", { tubeCode: "TS000001", capacity: 1, recallId: one.id }),
      p.events.next("registration.added", {
        registrationId: nextTestUuid(),
        tubeCode: "TS000001",
        resident: {
          name: person.name,
          docType: "ID" as const,
          docNumber: person.doc_number,
          phone: person.phone ?? undefined,
          community: "幸福里社区",
        },
        repeatReason: "复核单采 / recall re-sampling",
      }),
      p.events.next("tube.sealed", { tubeCode: "TS000001", count: 1, short: false }),
      p.events.next("box.opened", { boxCode: "BOXS-001" }),
      p.events.next("box.tube_added", { boxCode: "BOXS-001", tubeCode: "TS000001" }),
      p.events.next("box.closed", { boxCode: "BOXS-001", tubeCount: 1 }),
      p.events.next("box.handed_over", {
        boxCode: "BOXS-001",
        courierName: "刘师傅",
        courierPhone: "13900001111",
        labCode: "LAB01",
      }),
    ];
    const pushed = await inject("POST", "/api/v1/events/push", p.token, { deviceId: p.deviceId, events: single });
    expect(pushed.json<PushResponse>().results.filter((r) => r.status !== "accepted")).toEqual([]);
    const stateOf = async () =>
      (await inject("GET", "/api/v1/labs/LAB01/recalls?tube=TL000001", lab.token))
        .json<{ recalls: RecallEntry[] }>()
        .recalls.find((r) => r.id === one.id);
    expect(await stateOf()).toMatchObject({ state: "resampled", singleTubeCode: "TS000001", singleOutcome: null });
    await inject("POST", "/api/v1/labs/LAB01/boxes/BOXS-001/receive", lab.token, {});
    await inject("POST", "/api/v1/labs/LAB01/results", lab.token, { results: [result("TS000001", "negative")] });
    expect(await stateOf()).toMatchObject({ state: "resulted", singleOutcome: "negative" });
    // The site's open list no longer holds them: the phones stop flagging them.
    const open = await inject("GET", "/api/v1/sites/DEMO/recalls?open=1", p.token);
    expect(open.json<{ recalls: RecallEntry[] }>().recalls.map((r) => r.id)).not.toContain(one.id);
  });

  it("results are idempotent per id; a change needs a reason and is a new record; conflicts are refused", async () => {
    const p = await phone();
    await pushBox(p, "BOXL-010", [{ code: "TL000010", people: [21, 22, 23] }], "LAB01");
    const lab = await consoleLogin("lab1", "lab-password-1");
    await inject("POST", "/api/v1/labs/LAB01/boxes/BOXL-010/receive", lab.token, {});
    const send = (rows: unknown[]) =>
      inject("POST", "/api/v1/labs/LAB01/results", lab.token, { results: rows }).then(
        (r) => r.json<{ rows: ResultRowOutcome[] }>().rows,
      );
    const negative = result("TL000010", "negative");
    // Two benches send the same result at the same moment: one records it, the other finds it (no 500).
    const [a, b] = await Promise.all([send([negative]), send([negative])]);
    expect([a[0]?.status, b[0]?.status].sort()).toEqual(["duplicate", "recorded"]);
    expect((await send([{ ...negative, outcome: "invalid" }]))[0]).toMatchObject({
      status: "refused",
      code: "result_id_conflict",
    });
    expect((await send([result("TL000010", "positive")]))[0]).toMatchObject({
      status: "refused",
      code: "conflicting_result",
    });
    expect((await send([result("TL000010", "positive", { reason: "复核阳性" })]))[0]).toMatchObject({
      status: "changed",
      recalled: 3,
    });
    // Corrected again, to negative: the pool's recalls are withdrawn (not duplicated, not left open).
    expect((await send([result("TL000010", "negative", { reason: "复核为阴性" })]))[0]).toMatchObject({
      status: "changed",
    });
    const recallStates = await server.store.db.selectFrom("recalls").select("state").execute();
    expect(recallStates.map((r) => r.state)).toEqual(["withdrawn", "withdrawn", "withdrawn"]);
    const open = await inject("GET", "/api/v1/labs/LAB01/recalls?open=1", lab.token);
    expect(open.json<{ recalls: RecallEntry[] }>().recalls).toHaveLength(0);
    const rows = await server.store.db
      .selectFrom("results")
      .select(["outcome", "current", "replaces", "reason"])
      .orderBy("recorded_at")
      .orderBy("current")
      .execute();
    expect(rows.map((r) => [r.outcome, r.current, r.reason])).toEqual([
      ["negative", 0, null],
      ["positive", 0, "复核阳性"],
      ["negative", 1, "复核为阴性"],
    ]);
    const audits = await server.store.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "in", ["result_recorded", "result_changed", "box_received"])
      .orderBy("at")
      .execute();
    expect(audits.map((a) => a.action)).toEqual([
      "box_received",
      "result_recorded",
      "result_changed",
      "result_changed",
    ]);
  });

  it("station staff get 403 on lab operations; a lab sees only boxes for it or received by it", async () => {
    const p = await phone();
    await pushBox(p, "BOXL-020", [{ code: "TL000020", people: [31] }], "LAB01");
    const lead = await consoleLogin("lead1", "lead-password-1");
    const lab2 = await consoleLogin("lab2", "lab-password-2");
    const lab1 = await consoleLogin("lab1", "lab-password-1");
    for (const token of [p.token, lead.token]) {
      for (const [method, url, body] of [
        ["GET", "/api/v1/labs/LAB01/boxes/BOXL-020", undefined],
        ["POST", "/api/v1/labs/LAB01/boxes/BOXL-020/receive", {}],
        ["POST", "/api/v1/labs/LAB01/tubes/TL000020/receive", {}],
        ["POST", "/api/v1/labs/LAB01/results", { results: [result("TL000020", "negative")] }],
        ["GET", "/api/v1/labs/LAB01/recalls", undefined],
        ["GET", "/api/v1/labs/LAB01/turnaround", undefined],
      ] as const) {
        const res = await inject(method, url, token, body);
        expect([res.statusCode, res.json().code]).toEqual([403, "forbidden_role"]);
      }
    }
    // Another lab: not its routes, and not a box handed over for LAB01.
    const wrong = await inject("GET", "/api/v1/labs/LAB01/boxes/BOXL-020", lab2.token);
    expect([wrong.statusCode, wrong.json().code]).toEqual([403, "wrong_lab"]);
    const other = await inject("GET", "/api/v1/labs/LAB02/boxes/BOXL-020", lab2.token);
    expect([other.statusCode, other.json().code]).toEqual([403, "other_lab"]);
    await inject("POST", "/api/v1/labs/LAB01/boxes/BOXL-020/receive", lab1.token, {});
    const results = await inject("POST", "/api/v1/labs/LAB02/results", lab2.token, {
      results: [result("TL000020", "negative")],
    });
    expect(results.json<{ rows: ResultRowOutcome[] }>().rows[0]).toMatchObject({ code: "received_elsewhere" });
    expect((await server.store.db.selectFrom("results").select("id").execute()).length).toBe(0);
    // Another lab cannot read the times of a tube this lab received.
    const timeline = await inject("GET", "/api/v1/labs/LAB02/tubes/TL000020/timeline?site=DEMO", lab2.token);
    expect([timeline.statusCode, timeline.json().code]).toEqual([404, "unknown_tube"]);
    const own = await inject("GET", "/api/v1/labs/LAB01/tubes/TL000020/timeline?site=DEMO", lab1.token);
    expect(own.json()).toMatchObject({ tubeCode: "TL000020", receivedAt: expect.any(String) });
    const unknown = await inject("GET", "/api/v1/labs/LAB01/boxes/NOSUCHBOX", lab1.token);
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, "unknown_box"]);
  });

  it("the resident status page shows only the asker's own samplings; a wrong name answers as no record; limited", async () => {
    const p = await phone();
    await pushBox(p, "BOXL-030", [{ code: "TL000030", people: [41, 42] }], "LAB01");
    const lab = await consoleLogin("lab1", "lab-password-1");
    const ask = (body: object) => inject("POST", "/api/v1/public/status", undefined, body);
    const sampled = await ask({ docNumber: idNumber(41), name: nameOf(41) });
    expect(sampled.json()).toEqual({
      samplings: [{ siteName: expect.any(String), sampledAt: expect.any(String), status: "sampled" }],
    });
    await inject("POST", "/api/v1/labs/LAB01/boxes/BOXL-030/receive", lab.token, {});
    expect(
      (await ask({ docNumber: idNumber(41), name: nameOf(41), phoneLast4: "0041" })).json().samplings[0].status,
    ).toBe("in_lab");
    await inject("POST", "/api/v1/labs/LAB01/results", lab.token, { results: [result("TL000030", "negative")] });
    const negative = (await ask({ docNumber: idNumber(42), name: nameOf(42) })).json();
    expect(negative.samplings[0].status).toBe("negative");
    // Nothing of the tube's other member, no tube code, no phone.
    expect(JSON.stringify(negative)).not.toMatch(new RegExp(`${nameOf(41)}|TL000030|139`));
    // A wrong name, or a wrong phone, answers as no record.
    expect((await ask({ docNumber: idNumber(42), name: "别人" })).json()).toEqual({ samplings: [] });
    expect((await ask({ docNumber: idNumber(42), name: nameOf(42), phoneLast4: "9999" })).json()).toEqual({
      samplings: [],
    });
    // Per document (5 in the window here): the sixth lookup is refused.
    for (let i = 4; i <= 5; i++)
      expect((await ask({ docNumber: idNumber(42), name: nameOf(42) })).statusCode).toBe(200);
    const limited = await ask({ docNumber: idNumber(42), name: nameOf(42) });
    expect([limited.statusCode, limited.json().code]).toEqual([429, "too_many_lookups"]);
    expect(limited.headers["retry-after"]).toBeDefined();
    const audited = await server.store.db
      .selectFrom("audit_log")
      .select(["subject"])
      .where("action", "=", "resident_lookup")
      .execute();
    expect(audited.length).toBeGreaterThanOrEqual(6);
    expect(audited.every((a) => a.subject?.includes("***"))).toBe(true);
  });

  it("turnaround: per lab today, received → resulted and sampled → resulted", async () => {
    const p = await phone();
    await pushBox(p, "BOXL-040", [{ code: "TL000040", people: [51] }], "LAB01");
    const lab = await consoleLogin("lab1", "lab-password-1");
    // Two benches receive the box at the same moment: one receipt, the other answers it (no 500).
    const both = await Promise.all([
      inject("POST", "/api/v1/labs/LAB01/boxes/BOXL-040/receive", lab.token, {}),
      inject("POST", "/api/v1/labs/LAB01/boxes/BOXL-040/receive", lab.token, {}),
    ]);
    expect(both.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(both.map((r) => r.json<ReceiptReport>().alreadyReceived).sort()).toEqual([false, true]);
    expect(await server.store.db.selectFrom("box_receipts").select("box_code").execute()).toHaveLength(1);
    await inject("POST", "/api/v1/labs/LAB01/results", lab.token, { results: [result("TL000040", "negative")] });
    const res = await inject("GET", "/api/v1/labs/LAB01/turnaround", lab.token);
    expect(res.statusCode).toBe(200);
    const figures = res.json();
    expect(figures).toMatchObject({ labCode: "LAB01", tubes: 1 });
    expect(figures.receivedToResulted.medianMinutes).toBeGreaterThanOrEqual(0);
    expect(figures.sampledToResulted.p95Minutes).toBeGreaterThanOrEqual(0);
  });

  it("result files (CSV and XLSX): a row-level report with line numbers; the same file twice changes nothing", async () => {
    const p = await phone();
    await pushBox(
      p,
      "BOXL-050",
      [
        { code: "TL000050", people: [61] },
        { code: "TL000051", people: [62] },
        { code: "TL000052", people: [63] },
      ],
      "LAB01",
    );
    const lab = await consoleLogin("lab1", "lab-password-1");
    await inject("POST", "/api/v1/labs/LAB01/boxes/BOXL-050/receive", lab.token, {});
    const upload = (body: Buffer, type: string) =>
      server.app.inject({
        method: "POST",
        url: "/api/v1/labs/LAB01/results/upload",
        headers: { authorization: `Bearer ${lab.token}`, "content-type": type },
        payload: body,
      });
    const csv = Buffer.from(
      "\uFEFF试管条码,结果,Ct值,检测时间\n" +
        "TL000050,阴性,,2026-12-04 10:00\n" +
        "TL000051,positive,ORF1ab:28.4;N:27.1,2026-12-04T10:05:00+08:00\n" +
        "TL000050,阳性,,2026-12-04 10:30\n" +
        "TL404040,阴性,,2026-12-04 10:00\n" +
        "TL000052,好像阴性,,2026-12-04 10:00\n",
      "utf8",
    );
    const first = await upload(csv, "text/csv");
    expect(first.statusCode).toBe(200);
    expect(
      first.json().rows.map((r: { line: number; status: string; code?: string }) => [r.line, r.status, r.code]),
    ).toEqual([
      [2, "recorded", undefined],
      [3, "recorded", undefined],
      [4, "refused", "conflicting_result"],
      [5, "refused", "unknown_tube"],
      [6, "refused", "bad_row"],
    ]);
    const again = await upload(csv, "text/csv");
    expect(again.json().rows.map((r: { status: string }) => r.status)).toEqual([
      "duplicate",
      "duplicate",
      "refused",
      "refused",
      "refused",
    ]);
    const count = async () => (await server.store.db.selectFrom("results").select("id").execute()).length;
    expect(await count()).toBe(2);

    // The XLSX template, filled in and uploaded; it parses back with ExcelJS.
    const template = await inject("GET", "/api/v1/labs/results-template?format=xlsx", lab.token);
    expect(template.statusCode).toBe(200);
    const { default: ExcelJS } = await import("exceljs");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(template.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet?.getRow(1).values).toEqual([undefined, "试管条码", "结果", "Ct值", "检测时间", "更改原因", "采样点"]);
    sheet?.spliceRows(2, 1);
    sheet?.addRow(["TL000052", "阴性", 31.5, "2026-12-04 11:00"]);
    const filled = Buffer.from(await workbook.xlsx.writeBuffer());
    const xlsx = await upload(filled, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(xlsx.json().rows).toEqual([expect.objectContaining({ line: 2, status: "recorded", tubeCode: "TL000052" })]);
    expect(
      (await upload(filled, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")).json().rows[0].status,
    ).toBe("duplicate");
    expect(await count()).toBe(3);
    const csvTemplate = await inject("GET", "/api/v1/labs/results-template?format=csv", lab.token);
    expect(csvTemplate.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const garbage = await upload(
      Buffer.from("not a spreadsheet"),
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    expect([garbage.statusCode, garbage.json().code]).toEqual([400, "unreadable_file"]);
    // A CSV saved by Excel on Chinese Windows (GBK, no BOM) reads as well as the UTF-8 template.
    const gbk = await upload(
      Buffer.from(
        "cad4b9dcccf5c2eb2cbde1b9fb2cbcecb2e2cab1bce40a544c3030303035312cd2f5d0d42c323032362d31322d30342031303a30300a",
        "hex",
      ),
      "text/csv",
    );
    expect([gbk.statusCode, gbk.json().rows[0]?.line, gbk.json().rows[0]?.tubeCode]).toEqual([200, 2, "TL000051"]);
    // Too many rows is refused whole, before anything is recorded.
    const huge = Buffer.from(
      `试管条码,结果,检测时间\n${"TL000052,阴性,2021-08-03 10:00\n".repeat(MAX_RESULT_ROWS + 1)}`,
      "utf8",
    );
    const tooLarge = await upload(huge, "text/csv");
    expect([tooLarge.statusCode, tooLarge.json().code]).toEqual([413, "file_too_large"]);
    expect(await count()).toBe(3);
  });

  it("a registration uploaded after its pool was found positive (a quarantined one, resubmitted) joins the recall list", async () => {
    const p = await phone();
    const resident = (n: number) => ({
      name: nameOf(n),
      docType: "ID" as const,
      docNumber: idNumber(n),
      phone: `139${String(n).padStart(8, "0")}`,
    });
    // Three people sealed in the tube; one registration was refused by the server (not uploaded here).
    const events = [
      p.events.next("tube.opened", { tubeCode: "TL000070", capacity: 10 }),
      p.events.next("registration.added", {
        registrationId: nextTestUuid(),
        tubeCode: "TL000070",
        resident: resident(71),
      }),
      p.events.next("registration.added", {
        registrationId: nextTestUuid(),
        tubeCode: "TL000070",
        resident: resident(72),
      }),
      p.events.next("tube.sealed", { tubeCode: "TL000070", count: 3, short: true }),
      p.events.next("box.opened", { boxCode: "BOXL-070" }),
      p.events.next("box.tube_added", { boxCode: "BOXL-070", tubeCode: "TL000070" }),
      p.events.next("box.closed", { boxCode: "BOXL-070", tubeCount: 1 }),
      p.events.next("box.handed_over", { boxCode: "BOXL-070", courierName: "刘师傅", courierPhone: "13900001111" }),
    ];
    await inject("POST", "/api/v1/events/push", p.token, { deviceId: p.deviceId, events });
    const lab = await consoleLogin("lab1", "lab-password-1");
    const receipt = await inject("POST", "/api/v1/labs/LAB01/boxes/BOXL-070/receive", lab.token, {});
    expect(receipt.json<ReceiptReport>().unsynced).toEqual([
      expect.objectContaining({ tubeCode: "TL000070", sealedCount: 3, registrations: 2, deviceId: p.deviceId }),
    ]);
    await inject("POST", "/api/v1/labs/LAB01/results", lab.token, { results: [result("TL000070", "positive")] });
    const list = async () =>
      (await inject("GET", "/api/v1/labs/LAB01/recalls?tube=TL000070", lab.token))
        .json<{ recalls: RecallEntry[] }>()
        .recalls.map((r) => r.docNumber)
        .sort();
    expect(await list()).toEqual([idNumber(71), idNumber(72)].sort());
    // The corrected registration arrives later: the third person is recalled too.
    const late = p.events.next("registration.added", {
      registrationId: nextTestUuid(),
      tubeCode: "TL000070",
      resident: resident(73),
    });
    await inject("POST", "/api/v1/events/push", p.token, { deviceId: p.deviceId, events: [late] });
    expect(await list()).toEqual([idNumber(71), idNumber(72), idNumber(73)].sort());
  });
});
