// The command centre's dashboard API on both stores: figures at every level equal what was pushed, a district admin
// sees only their district, other roles get 403, silent sites and stale devices, bad queries refused.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Dashboard } from "../../domain/command";
import type { LoginResponse, PushResponse } from "../../domain/protocol";
import { eventStream, nextTestUuid } from "../../domain/testEvents";
import { runCommand } from "../cli/commands";
import { startTestServer, TEST_STORES, type TestServer } from "../testServer";

describe.each(TEST_STORES)("dashboard on %s", (kind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ kind, demo: false });
    const ctx = { store: server.store, dataDir: server.dataDir, actor: "test" };
    const run = (...argv: string[]) => runCommand(argv, ctx);
    await run("add-site", "ZF01", "毓璜顶一号点", "--district", "芝罘区", "--street", "毓璜顶街道");
    await run("add-site", "ZF02", "毓璜顶二号点", "--district", "芝罘区", "--street", "毓璜顶街道");
    await run("add-site", "ZF03", "向阳一号点", "--district", "芝罘区", "--street", "向阳街道");
    await run("add-site", "LS01", "莱山一号点", "--district", "莱山区", "--street", "初家街道");
    await run("add-staff", "c1", "采集员一", "--site", "ZF01", "--role", "collector", "--password", "password-c1");
    await run("add-staff", "c2", "采集员二", "--site", "LS01", "--role", "collector", "--password", "password-c2");
    await run("add-staff", "city", "市指挥部", "--role", "admin", "--password", "password-city");
    await run(
      "add-staff",
      "zfadmin",
      "芝罘区指挥部",
      "--role",
      "admin",
      "--district",
      "芝罘区",
      "--password",
      "password-zf",
    );
    await run("add-lab", "LAB01", "芝罘区疾控PCR实验室");
    await run("add-staff", "lab1", "检验员", "--lab", "LAB01", "--password", "password-lab");
  });
  afterEach(async () => {
    await server.dispose();
  });

  const post = (url: string, payload: unknown, token?: string) =>
    server.app.inject({
      method: "POST",
      url,
      payload: payload as object,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
  const get = (url: string, token: string) =>
    server.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${token}` } });
  const consoleToken = async (username: string, password: string) =>
    (await post("/api/v1/auth/console-login", { username, password })).json<{ token: string }>().token;

  /** A phone at a site registers `people` residents into one tube, now (its clock `skewMs` off). */
  async function register(
    username: string,
    password: string,
    deviceId: string,
    tube: string,
    people: number,
    skewMs = 0,
  ) {
    const login = (await post("/api/v1/auth/login", { username, password, deviceId })).json<LoginResponse>();
    const events = eventStream(deviceId, login.site.code, login.staff.id);
    const batch = [
      events.next("tube.opened", { tubeCode: tube, capacity: 10 }, { occurredAt: new Date().toISOString() }),
    ];
    for (let i = 0; i < people; i++) {
      batch.push(
        events.next(
          "registration.added",
          {
            registrationId: nextTestUuid(),
            tubeCode: tube,
            resident: { name: "居民", docType: "PP", docNumber: `E${deviceId.length}${tube.slice(-3)}${i}00` },
          },
          { occurredAt: new Date().toISOString() },
        ),
      );
    }
    const res = await post(
      "/api/v1/events/push",
      { deviceId, events: batch, pending: batch.length, deviceTime: new Date(Date.now() + skewMs).toISOString() },
      login.token,
    );
    expect(res.json<PushResponse>().results.filter((r) => r.status !== "accepted")).toEqual([]);
  }

  it("shows at every level exactly what was pushed; a district admin sees only their district", async () => {
    await register("c1", "password-c1", "device-zf01-a", "TZ000001", 7, 400_000);
    await register("c2", "password-c2", "device-ls01-a", "TL000001", 3);
    const city = await consoleToken("city", "password-city");

    const top = (await get("/api/v1/dashboard", city)).json<Dashboard>();
    expect(top.scope.level).toBe("city");
    expect(top.figures).toMatchObject({ registrations: 10, lastHour: 10, tubes: { open: 2 } });
    expect(top.children.map((c) => [c.key, c.figures.registrations])).toEqual([
      ["芝罘区", 7],
      ["莱山区", 3],
    ]);
    expect(top.chart.series.map((s) => [s.key, s.counts.reduce((a, b) => a + b, 0)])).toEqual([
      ["芝罘区", 7],
      ["莱山区", 3],
    ]);
    // By district, street, code (as Unicode orders them: 向 before 毓).
    expect(top.sites.map((s) => [s.code, s.registrations, s.ratePerHour])).toEqual([
      ["ZF03", 0, 0],
      ["ZF01", 7, 7],
      ["ZF02", 0, 0],
      ["LS01", 3, 3],
    ]);
    // No round runs: nobody is silent. The phone whose clock is 400 s ahead says so.
    expect(top.sites.some((s) => s.silent)).toBe(false);
    expect(top.devices.list.find((d) => d.id === "device-zf01-a")).toMatchObject({
      siteCode: "ZF01",
      clockSkewSeconds: 400,
      queuedEvents: 0,
      stale: true, // a clock 400 s off needs someone
    });
    expect([top.devices.total, top.devices.stale]).toEqual([2, 1]);
    // Another day: its own figures, no last hour, no last registration of today.
    const past = (await get("/api/v1/dashboard?day=2021-08-03", city)).json<Dashboard>();
    expect([past.figures.registrations, past.figures.lastHour]).toEqual([0, 0]);
    expect(past.sites.map((s) => [s.ratePerHour, s.lastRegistrationAt])).toEqual(Array(4).fill([0, null]));

    const district = (await get(`/api/v1/dashboard?district=${encodeURIComponent("芝罘区")}`, city)).json<Dashboard>();
    expect(district.children.map((c) => [c.level, c.key, c.figures.registrations])).toEqual([
      ["street", "向阳街道", 0],
      ["street", "毓璜顶街道", 7],
    ]);
    const street = (
      await get(
        `/api/v1/dashboard?district=${encodeURIComponent("芝罘区")}&street=${encodeURIComponent("毓璜顶街道")}`,
        city,
      )
    ).json<Dashboard>();
    expect(street.children.map((c) => [c.level, c.key, c.figures.registrations])).toEqual([
      ["site", "ZF01", 7],
      ["site", "ZF02", 0],
    ]);
    const site = (await get("/api/v1/dashboard?site=ZF01", city)).json<Dashboard>();
    expect(site.scope).toMatchObject({
      level: "site",
      district: "芝罘区",
      street: "毓璜顶街道",
      site: { code: "ZF01" },
    });
    expect(site.figures.registrations).toBe(7);

    // A district admin: the city view is their district; another district is 403.
    const zf = await consoleToken("zfadmin", "password-zf");
    const own = (await get("/api/v1/dashboard", zf)).json<Dashboard>();
    expect([own.scope.level, own.scope.district, own.figures.registrations]).toEqual(["district", "芝罘区", 7]);
    expect(own.sites.map((s) => s.code)).toEqual(["ZF03", "ZF01", "ZF02"]);
    expect(own.devices.list.map((d) => d.id)).toEqual(["device-zf01-a"]);
    const other = await get(`/api/v1/dashboard?district=${encodeURIComponent("莱山区")}`, zf);
    expect([other.statusCode, other.json().code]).toEqual([403, "other_district"]);
    expect((await get("/api/v1/dashboard?site=LS01", zf)).statusCode).toBe(403);

    // Other roles: 403 from the dashboard and the rounds.
    const collector = (await post("/api/v1/auth/console-login", { username: "c1", password: "password-c1" })).json<{
      token: string;
    }>().token;
    const lab = await consoleToken("lab1", "password-lab");
    for (const token of [collector, lab]) {
      for (const url of ["/api/v1/dashboard", "/api/v1/rounds"]) {
        const res = await get(url, token);
        expect([url, res.statusCode, res.json().code]).toEqual([url, 403, "forbidden_role"]);
      }
    }
  });

  it("highlights silent sites while a round runs, and a new push shows at once", async () => {
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const ctx = { store: server.store, dataDir: server.dataDir, actor: "test" };
    await runCommand(["add-round", "第二轮全员核酸", today, today], ctx);
    await register("c1", "password-c1", "device-zf01-a", "TZ000001", 2);
    const city = await consoleToken("city", "password-city");
    const before = (await get("/api/v1/dashboard", city)).json<Dashboard>();
    expect(before.roundRunning).toBe(true);
    expect(before.sites.filter((s) => s.silent).map((s) => s.code)).toEqual(["ZF03", "ZF02", "LS01"]);
    const round = before.rounds[0]?.id as string;
    const byRound = (await get(`/api/v1/dashboard?round=${round}`, city)).json<Dashboard>();
    expect([byRound.period.from, byRound.period.to, byRound.figures.registrations]).toEqual([today, today, 2]);

    await register("c2", "password-c2", "device-ls01-a", "TL000001", 4);
    const after = (await get("/api/v1/dashboard", city)).json<Dashboard>();
    expect(after.figures.registrations).toBe(6);
    expect(after.sites.filter((s) => s.silent).map((s) => s.code)).toEqual(["ZF03", "ZF02"]);
  });

  it("refuses bad queries with a code", async () => {
    const city = await consoleToken("city", "password-city");
    for (const [url, status, code] of [
      [`/api/v1/dashboard?street=${encodeURIComponent("毓璜顶街道")}`, 400, "street_needs_district"],
      [`/api/v1/dashboard?district=${encodeURIComponent("不存在区")}`, 404, "unknown_district"],
      ["/api/v1/dashboard?site=NOPE01", 404, "unknown_site"],
      ["/api/v1/dashboard?round=nope", 404, "unknown_round"],
      ["/api/v1/dashboard?day=2021-13-45x", 400, "invalid_request"],
      ["/api/v1/dashboard?day=2026-13-45", 400, "invalid_request"],
      ["/api/v1/dashboard?day=2026-02-30", 400, "invalid_request"],
      [`/api/v1/dashboard?site=LS01&district=${encodeURIComponent("芝罘区")}`, 400, "site_elsewhere"],
    ] as const) {
      const res = await get(url, city);
      expect([url, res.statusCode, res.json().code]).toEqual([url, status, code]);
    }
  });
  it("looks up a resident, a tube and a box for an admin, within their district, each audited with the reason", async () => {
    await register("c1", "password-c1", "device-zf01-a", "TZ000001", 3);
    const login = (
      await post("/api/v1/auth/login", { username: "c1", password: "password-c1", deviceId: "device-zf01-b" })
    ).json<LoginResponse>();
    const events = eventStream("device-zf01-b", "ZF01", login.staff.id);
    await post(
      "/api/v1/events/push",
      {
        deviceId: "device-zf01-b",
        events: [
          events.next("tube.sealed", { tubeCode: "TZ000001", count: 3, short: true }),
          events.next("box.opened", { boxCode: "BOXZ-1" }),
          events.next("box.tube_added", { boxCode: "BOXZ-1", tubeCode: "TZ000001" }),
          events.next("box.closed", { boxCode: "BOXZ-1", tubeCount: 1 }),
          events.next("box.handed_over", { boxCode: "BOXZ-1", courierName: "刘师傅", courierPhone: "13900001111" }),
        ],
      },
      login.token,
    );
    const lab = await consoleToken("lab1", "password-lab");
    expect((await post("/api/v1/labs/LAB01/boxes/BOXZ-1/receive", {}, lab)).statusCode).toBe(200);

    const city = await consoleToken("city", "password-city");
    const ask = (token: string, body: object) => post("/api/v1/lookups", body, token);
    const docNumber = "E13001000"; // the register() helper's first resident at device-zf01-a, tube TZ000001
    const resident = await ask(city, { kind: "resident", code: docNumber, reason: "密接排查" });
    expect(resident.statusCode).toBe(200);
    expect(resident.json().registrations).toEqual([
      expect.objectContaining({
        docNumber,
        tube: expect.objectContaining({ tubeCode: "TZ000001", siteCode: "ZF01", boxCode: "BOXZ-1" }),
      }),
    ]);
    const tube = (await ask(city, { kind: "tube", code: "tz000001", reason: "阳性复核" })).json();
    expect(tube.tubes).toHaveLength(1);
    expect(tube.tubes[0].residents).toHaveLength(3);
    const box = (await ask(city, { kind: "box", code: "BOXZ-1", reason: "转运核对" })).json();
    expect(box.boxes).toEqual([
      expect.objectContaining({
        boxCode: "BOXZ-1",
        status: "handed_over",
        courierName: "刘师傅",
        receipt: expect.objectContaining({ labCode: "LAB01" }),
        tubes: [expect.objectContaining({ tubeCode: "TZ000001", status: "sealed" })],
      }),
    ]);
    // Audited: who, what (the number masked), why.
    const audits = await server.store.db
      .selectFrom("audit_log")
      .select(["subject", "detail"])
      .where("action", "=", "admin_lookup")
      .orderBy("at")
      .execute();
    expect(audits.map((a) => [a.subject, JSON.parse(a.detail ?? "{}").reason])).toEqual([
      ["*****1000", "密接排查"],
      ["TZ000001", "阳性复核"],
      ["BOXZ-1", "转运核对"],
    ]);

    // Another district's admin finds nothing of it; a lookup without a reason, or by a collector, is refused.
    await runCommand(
      ["add-staff", "lsadmin", "莱山区指挥部", "--role", "admin", "--district", "莱山区", "--password", "password-ls"],
      {
        store: server.store,
        dataDir: server.dataDir,
        actor: "test",
      },
    );
    const ls = await consoleToken("lsadmin", "password-ls");
    expect((await ask(ls, { kind: "tube", code: "TZ000001", reason: "核对" })).json().tubes).toEqual([]);
    expect((await ask(ls, { kind: "resident", code: docNumber, reason: "核对" })).json().registrations).toEqual([]);
    const noReason = await ask(city, { kind: "tube", code: "TZ000001" });
    expect([noReason.statusCode, noReason.json().code]).toEqual([400, "invalid_request"]);
    const collector = (await post("/api/v1/auth/console-login", { username: "c1", password: "password-c1" })).json<{
      token: string;
    }>().token;
    const refused = await ask(collector, { kind: "tube", code: "TZ000001", reason: "核对" });
    expect([refused.statusCode, refused.json().code]).toEqual([403, "forbidden_role"]);
  });
});
