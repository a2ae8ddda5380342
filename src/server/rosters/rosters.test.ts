// Rosters on both stores: import (CSV and XLSX; refused rows with line numbers; re-import replaces a grid and keeps
// its exemptions), coverage after two phones register part of a grid, the not-yet-sampled list is exactly the rest,
// exemptions leave the denominator (audited), a void takes a resident back off, phones' roster pull, roles.
import ExcelJS from "exceljs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LoginResponse, PushResponse } from "../../domain/protocol";
import type { Coverage, RosterImportReport, SiteRoster, UnsampledList } from "../../domain/roster";
import { siteDay } from "../../domain/siteDay";
import { eventStream, nextTestUuid } from "../../domain/testEvents";
import { idNumber, nameOf } from "../../domain/testResidents";
import { runCommand } from "../cli/commands";
import { XLSX_MIME } from "../files/spreadsheet";
import { startTestServer, TEST_STORES, type TestServer } from "../testServer";

const HEADER = "姓名,证件类型,证件号码,手机号,社区,网格";
/** Grid 1号楼: residents 1–10 (ID numbers); grid 2号楼: 11–15. */
const rosterCsv = (extra: string[] = []) =>
  Buffer.from(
    [
      `\uFEFF${HEADER}`,
      ...Array.from(
        { length: 10 },
        (_, i) =>
          `${nameOf(i + 1)},居民身份证,${idNumber(i + 1)},1380000${String(i).padStart(4, "0")},毓璜顶社区,1号楼`,
      ),
      ...Array.from({ length: 5 }, (_, i) => `${nameOf(i + 11, "住户")},ID,${idNumber(i + 11)},,毓璜顶社区,2号楼`),
      ...extra,
    ].join("\r\n"),
    "utf8",
  );

describe.each(TEST_STORES)("rosters on %s", (kind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ kind, demo: false });
    const ctx = { store: server.store, dataDir: server.dataDir, actor: "test" };
    const run = (...argv: string[]) => runCommand(argv, ctx);
    await run("add-site", "ZF01", "毓璜顶一号点", "--district", "芝罘区", "--street", "毓璜顶街道");
    await run("add-site", "ZF02", "毓璜顶二号点", "--district", "芝罘区", "--street", "毓璜顶街道");
    await run("add-site", "LS01", "莱山一号点", "--district", "莱山区", "--street", "初家街道");
    await run("add-staff", "c1", "采集员一", "--site", "ZF01", "--role", "collector", "--password", "password-c1");
    await run("add-staff", "c2", "采集员二", "--site", "ZF02", "--role", "collector", "--password", "password-c2");
    await run("add-staff", "lead1", "点长", "--site", "ZF01", "--role", "site_lead", "--password", "password-l1");
    await run("add-staff", "city", "市指挥部", "--role", "admin", "--password", "password-city");
    await run("add-staff", "lsadmin", "莱山区", "--role", "admin", "--district", "莱山区", "--password", "password-ls");
  });
  afterEach(async () => {
    await server.dispose();
  });

  const inject = (method: "GET" | "POST" | "DELETE", url: string, token?: string, payload?: unknown, type?: string) =>
    server.app.inject({
      method,
      url,
      ...(payload !== undefined ? { payload: payload as object } : {}),
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(type ? { "content-type": type } : {}) },
    });
  const consoleToken = async (username: string, password: string) =>
    (await inject("POST", "/api/v1/auth/console-login", undefined, { username, password })).json<{ token: string }>()
      .token;
  const importFile = (token: string, body: Buffer, type = "text/csv", site = "ZF01") =>
    inject("POST", `/api/v1/rosters/import${site ? `?site=${site}` : ""}`, token, body, type);
  const coverageOf = async (token: string, query: string) => {
    const res = await inject("GET", `/api/v1/rosters/coverage?${query}`, token);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Coverage>();
  };
  const unsampled = async (token: string, query: string) => {
    const res = await inject("GET", `/api/v1/rosters/unsampled?${query}`, token);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<UnsampledList>();
  };

  /** The coverage counts the import and the triggers keep equal those counted afresh from the entries. */
  async function expectCountsConsistent() {
    const { db } = server.store;
    const kept = await db.selectFrom("roster_counts").selectAll().where("entries", "<>", 0).execute();
    const sizes = await db
      .selectFrom("roster_entries")
      .select(["site_code", "community", "grid", (eb) => eb.fn.countAll<number | string>().as("entries")])
      .groupBy(["site_code", "community", "grid"])
      .execute();
    const days = await db
      .selectFrom("roster_entries")
      .select(["site_code", "community", "grid", "last_sampled_day", (eb) => eb.fn.countAll<number | string>().as("n")])
      .where("last_sampled_day", "is not", null)
      .groupBy(["site_code", "community", "grid", "last_sampled_day"])
      .execute();
    const line = (r: { site_code: string; community: string; grid: string }, day: string, n: unknown) =>
      `${r.site_code}|${r.community}|${r.grid}|${day}|${Number(n)}`;
    const fresh = [
      ...sizes.map((r) => line(r, "", r.entries)),
      ...days.map((r) => line(r, r.last_sampled_day ?? "", r.n)),
    ].sort();
    expect(kept.map((r) => line(r, r.day, r.entries)).sort()).toEqual(fresh);
    expect(fresh.length).toBeGreaterThan(0);
  }

  /** A phone signed in as this collector: its token and the stream its events come from. */
  async function phone(username: string, password: string, device: string) {
    const login = (
      await inject("POST", "/api/v1/auth/login", undefined, { username, password, deviceId: device })
    ).json<LoginResponse>();
    return { token: login.token, device, events: eventStream(device, login.site.code, login.staff.id) };
  }
  type Phone = Awaited<ReturnType<typeof phone>>;

  /** Pushes the phone's events; every one is accepted. */
  async function push(from: Phone, events: unknown[]) {
    const res = await inject("POST", "/api/v1/events/push", from.token, {
      deviceId: from.device,
      events,
      pending: 0,
      deviceTime: new Date().toISOString(),
    });
    expect(res.json<PushResponse>().results.filter((r) => r.status !== "accepted")).toEqual([]);
  }

  /** The phone's registration.added of roster resident n into the tube, at that time. */
  const registration = (
    from: Phone,
    n: number,
    tubeCode: string,
    occurredAt: string,
    registrationId = nextTestUuid(),
  ) =>
    from.events.next(
      "registration.added",
      { registrationId, tubeCode, resident: { name: nameOf(n), docType: "ID", docNumber: idNumber(n) } },
      { occurredAt },
    );

  /** A phone registers these roster residents (by index) into one tube; returns the registration ids. */
  async function register(username: string, password: string, device: string, tube: string, people: number[]) {
    const from = await phone(username, password, device);
    const now = new Date().toISOString();
    const ids = people.map(() => nextTestUuid());
    await push(from, [
      from.events.next("tube.opened", { tubeCode: tube, capacity: 10 }, { occurredAt: now }),
      ...people.map((n, i) => registration(from, n, tube, now, ids[i])),
    ]);
    return { ...from, ids };
  }

  it("imports a CSV, reports refused rows by line, and counts coverage exactly as two phones register", async () => {
    const city = await consoleToken("city", "password-city");
    const res = await importFile(
      city,
      rosterCsv([
        `坏号,居民身份证,370602199003070011,,毓璜顶社区,1号楼`,
        `重复,居民身份证,${idNumber(3)},,毓璜顶社区,1号楼`,
        `无网格,居民身份证,${idNumber(40)},,毓璜顶社区,`,
        `坏手机,居民身份证,${idNumber(41)},12345,毓璜顶社区,1号楼`,
        `怪证件,驾驶证,X1,,毓璜顶社区,1号楼`,
        `Bad|Name,PP,E7654321,,毓璜顶社区,1号楼`,
      ]),
    );
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json<RosterImportReport>();
    expect(report.imported, JSON.stringify(report)).toBe(15);
    expect(report.replaced).toEqual([
      { site: "ZF01", grid: "1号楼", before: 0 },
      { site: "ZF01", grid: "2号楼", before: 0 },
    ]);
    expect(report.refused.map((r) => [r.line, r.reason])).toEqual([
      [17, "bad_document"],
      [18, "duplicate_in_file"],
      [19, "no_grid"],
      [20, "bad_phone"],
      [21, "bad_doc_type"],
      [22, "bad_name"],
    ]);
    expect(report.refusedCount).toBe(6);

    // Phone 1 at ZF01 registers residents 1–4; a phone at another site registers 5 and 11 (sampled elsewhere still
    // counts: the roster asks whether they were sampled, not where) and someone not on any roster.
    await register("c1", "password-c1", "device-zf01", "TZ000001", [1, 2, 3, 4]);
    await register("c2", "password-c2", "device-zf02", "TZ000002", [5, 11, 99]);

    const site = await coverageOf(city, "site=ZF01");
    expect(site.totals).toEqual({ entries: 15, exempt: 0, expected: 15, sampled: 6, unsampled: 9, percent: 40 });
    expect(site.children.map((c) => [c.label, c.community, c.figures.sampled, c.figures.entries])).toEqual([
      ["1号楼", "毓璜顶社区", 5, 10],
      ["2号楼", "毓璜顶社区", 1, 5],
    ]);
    const district = await coverageOf(city, "district=芝罘区");
    expect(district.children).toEqual([
      expect.objectContaining({ level: "street", key: "毓璜顶街道", figures: site.totals }),
    ]);
    const city0 = await coverageOf(city, "");
    expect(city0.totals).toEqual(site.totals);

    // The not-yet-sampled list is exactly the rest, with phones and masked numbers.
    const list = await unsampled(city, "site=ZF01");
    expect(list.total).toBe(9);
    expect(list.residents.map((r) => r.name).sort()).toEqual(
      [...[6, 7, 8, 9, 10].map((n) => nameOf(n)), ...[12, 13, 14, 15].map((n) => nameOf(n, "住户"))].sort(),
    );
    expect(list.residents.find((r) => r.name === nameOf(6))).toMatchObject({ phone: "13800000005", grid: "1号楼" });
    expect(list.residents.every((r) => r.docNumber.includes("*"))).toBe(true);
    const grid2 = await unsampled(city, `site=ZF01&grid=${encodeURIComponent("2号楼")}`);
    expect(grid2.residents.map((r) => r.name).sort()).toEqual([12, 13, 14, 15].map((n) => nameOf(n, "住户")).sort());

    // A registration voided: that resident is not sampled any more.
    const again = await register("c1", "password-c1", "device-zf01-b", "TZ000003", [6]);
    expect((await coverageOf(city, "site=ZF01")).totals.sampled).toBe(7);
    const voided = again.events.next("registration.voided", {
      registrationId: again.ids[0] as string,
      tubeCode: "TZ000003",
      reason: "登记错误",
    });
    await push(again, [voided]);
    expect((await coverageOf(city, "site=ZF01")).totals.sampled).toBe(6);

    // Exempting a resident takes them off the denominator, audited; withdrawing puts them back.
    const away = list.residents.find((r) => r.name === nameOf(15, "住户"));
    const exempted = await inject("POST", `/api/v1/rosters/entries/${away?.id}/exemption`, city, {
      reason: "away",
      note: "在外地",
    });
    expect(exempted.statusCode, exempted.body).toBe(200);
    const afterExempt = await coverageOf(city, "site=ZF01");
    expect(afterExempt.totals).toEqual({
      entries: 15,
      exempt: 1,
      expected: 14,
      sampled: 6,
      unsampled: 8,
      percent: 42.9,
    });
    const listed = await unsampled(city, "site=ZF01");
    expect(listed.total).toBe(8);
    expect(listed.exempted.map((r) => [r.name, r.exemption?.reason])).toEqual([[nameOf(15, "住户"), "away"]]);
    const audits = await server.store.db
      .selectFrom("audit_log")
      .select(["action", "subject"])
      .where("action", "like", "roster%")
      .orderBy("at")
      .execute();
    expect(audits.map((a) => a.action)).toEqual(["roster_imported", "roster_exemption"]);
    expect(audits[1]?.subject).toContain("*");
    expect((await inject("DELETE", `/api/v1/rosters/entries/${away?.id}/exemption`, city)).statusCode).toBe(200);
    expect((await coverageOf(city, "site=ZF01")).totals.expected).toBe(15);
    expect((await inject("DELETE", `/api/v1/rosters/entries/${away?.id}/exemption`, city)).json().code).toBe(
      "not_exempt",
    );

    // Cards for those without a phone: full numbers (the QR holds them), audited with their count.
    const cards = await inject("GET", `/api/v1/rosters/cards?site=ZF01&withoutPhone=1`, city);
    expect(cards.statusCode, cards.body).toBe(200);
    const residents = cards.json<{ residents: { name: string; docNumber: string }[] }>().residents;
    expect(residents.map((r) => r.name).sort()).toEqual([11, 12, 13, 14, 15].map((n) => nameOf(n, "住户")).sort());
    expect(residents.map((r) => r.docNumber)).toContain(idNumber(12));
    const printed = await server.store.db
      .selectFrom("audit_log")
      .select("detail")
      .where("action", "=", "roster_cards_printed")
      .executeTakeFirstOrThrow();
    expect(JSON.parse(printed.detail ?? "{}")).toMatchObject({ cards: 5 });

    // The export holds exactly the list (CSV with BOM).
    const csv = await inject("GET", "/api/v1/rosters/unsampled/export?site=ZF01&format=csv", city);
    expect(csv.statusCode).toBe(200);
    expect(csv.body.startsWith("\uFEFF姓名,证件类型,证件号码,手机号,社区,网格")).toBe(true);
    expect(csv.body.trim().split(/\r?\n/).length).toBe(1 + 9);
    const xlsx = await inject("GET", "/api/v1/rosters/unsampled/export?site=ZF01&format=xlsx", city);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(book.worksheets[0]?.rowCount).toBe(10);
  });

  it("re-import replaces only the grids in the file and keeps their exemptions; XLSX reads the same", async () => {
    const city = await consoleToken("city", "password-city");
    expect((await importFile(city, rosterCsv())).statusCode).toBe(200);
    const first = await unsampled(city, "site=ZF01");
    const keeper = first.residents.find((r) => r.name === nameOf(2));
    await inject("POST", `/api/v1/rosters/entries/${keeper?.id}/exemption`, city, { reason: "hospitalised" });

    // Grid 1号楼 again, as XLSX: residents 1–3 only (the others moved away); grid 2号楼 not in the file stays.
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet("名单");
    sheet.addRow(["姓名", "证件类型", "证件号码", "手机号", "社区", "网格", "采样点编码"]);
    for (const n of [1, 2, 3]) sheet.addRow([nameOf(n), "居民身份证", idNumber(n), "", "毓璜顶社区", "1号楼", "ZF01"]);
    sheet.addRow(["别点", "居民身份证", idNumber(50), "", "初家社区", "1号", "LS01"]);
    sheet.addRow(["无点", "居民身份证", idNumber(51), "", "初家社区", "1号", "XX99"]);
    sheet.addRow([nameOf(11), "居民身份证", idNumber(11), "", "毓璜顶社区", "1号楼", "ZF01"]);
    const lead = await consoleToken("lead1", "password-l1");
    const res = await importFile(lead, Buffer.from(await book.xlsx.writeBuffer()), XLSX_MIME, "");
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json<RosterImportReport>();
    expect(report.replaced).toEqual([{ site: "ZF01", grid: "1号楼", before: 10 }]);
    expect(report.imported).toBe(3);
    expect(report.exemptionsKept).toBe(1);
    expect(report.refused.map((r) => [r.line, r.reason])).toEqual([
      [5, "other_site"],
      [6, "bad_site"],
      [7, "on_other_grid"],
    ]);
    const site = await coverageOf(city, "site=ZF01");
    expect(site.totals).toMatchObject({ entries: 8, exempt: 1, expected: 7 });
    expect((await unsampled(city, "site=ZF01")).exempted.map((r) => r.name)).toEqual([nameOf(2)]);
    await expectCountsConsistent();
  });

  it("gives phones their site's roster without phone numbers, and 304 while it is unchanged", async () => {
    const city = await consoleToken("city", "password-city");
    const login = (
      await inject("POST", "/api/v1/auth/login", undefined, {
        username: "c1",
        password: "password-c1",
        deviceId: "device-roster-1",
      })
    ).json<LoginResponse>();
    const empty = await inject("GET", "/api/v1/sites/ZF01/roster", login.token);
    expect(empty.json<SiteRoster>().entries).toEqual([]);
    await importFile(city, rosterCsv());
    const full = await inject("GET", "/api/v1/sites/ZF01/roster", login.token);
    const roster = full.json<SiteRoster>();
    expect(roster.entries).toHaveLength(15);
    expect(roster.entries[0]).toEqual({
      docType: "ID",
      docNumber: expect.any(String),
      name: expect.any(String),
      community: "毓璜顶社区",
      grid: expect.any(String),
    });
    expect(full.body).not.toContain("1380000");
    const unchanged = await server.app.inject({
      method: "GET",
      url: "/api/v1/sites/ZF01/roster",
      headers: { authorization: `Bearer ${login.token}`, "if-none-match": full.headers.etag as string },
    });
    expect(unchanged.statusCode).toBe(304);
    expect((await inject("GET", "/api/v1/sites/ZF02/roster", login.token)).json().code).toBe("wrong_site");
  });

  it("refuses what an account may not see or change, and bad input, with codes", async () => {
    const city = await consoleToken("city", "password-city");
    await importFile(city, rosterCsv());
    const collector = (
      await inject("POST", "/api/v1/auth/login", undefined, {
        username: "c1",
        password: "password-c1",
        deviceId: "device-roster-1",
      })
    ).json<LoginResponse>().token;
    expect((await inject("GET", "/api/v1/rosters/coverage", collector)).json().code).toBe("forbidden_role");
    expect((await importFile(collector, rosterCsv())).json().code).toBe("forbidden_role");
    const ls = await consoleToken("lsadmin", "password-ls");
    expect((await inject("GET", "/api/v1/rosters/coverage?site=ZF01", ls)).json().code).toBe("other_district");
    expect((await inject("GET", "/api/v1/rosters/unsampled?site=ZF01", ls)).json().code).toBe("other_district");
    expect((await inject("GET", "/api/v1/rosters/cards?site=ZF01", ls)).json().code).toBe("other_district");
    expect((await inject("GET", "/api/v1/rosters/cards?site=ZF01", collector)).json().code).toBe("forbidden_role");
    const lsImport = (await importFile(ls, rosterCsv())).json<RosterImportReport>();
    expect(lsImport.imported).toBe(0);
    expect(new Set(lsImport.refused.map((r) => r.reason))).toEqual(new Set(["other_site"]));
    const lead = await consoleToken("lead1", "password-l1");
    expect((await inject("GET", "/api/v1/rosters/coverage?site=ZF02", lead)).json().code).toBe("wrong_site");
    expect((await coverageOf(lead, "")).level).toBe("site");
    const entry = (await unsampled(city, "site=ZF01")).residents[0];
    expect(
      (await inject("POST", `/api/v1/rosters/entries/${entry?.id}/exemption`, ls, { reason: "away" })).json().code,
    ).toBe("other_district");
    expect(
      (await inject("POST", `/api/v1/rosters/entries/${entry?.id}/exemption`, city, { reason: "gone" })).statusCode,
    ).toBe(400);
    expect(
      (
        await inject("POST", `/api/v1/rosters/entries/${entry?.id}/exemption`, city, {
          reason: "away",
          until: "2020-01-01",
        })
      ).json().code,
    ).toBe("until_in_past");
    expect((await importFile(city, Buffer.from("not,a,roster\n1,2,3"))).json().code).toBe("unreadable_file");
    expect((await importFile(city, Buffer.from("PK\u0003\u0004garbage"), XLSX_MIME)).json().code).toBe(
      "unreadable_file",
    );
    expect((await importFile(city, rosterCsv(), "text/csv", "")).json().code).toBe("site_required");
    expect((await inject("GET", "/api/v1/rosters/coverage?round=nope", city)).json().code).toBe("unknown_round");
    // Nothing was lost by the refusals.
    expect((await coverageOf(city, "site=ZF01")).totals.entries).toBe(15);
  });

  it("imports residents already registered (here or at another site) as sampled on the day they last were", async () => {
    const earlier = new Date(Date.now() - 3 * 86_400_000).toISOString();
    // Resident 4 three days ago at ZF01; resident 5 today at ZF01; resident 6 today at ZF02, another site; resident
    // 7 today, but that registration voided. All before the roster exists.
    const c1 = await phone("c1", "password-c1", "device-roster-8");
    const now = new Date().toISOString();
    const voided = nextTestUuid();
    await push(c1, [
      c1.events.next("tube.opened", { tubeCode: "TZ000008", capacity: 10 }, { occurredAt: earlier }),
      registration(c1, 4, "TZ000008", earlier),
      c1.events.next("tube.opened", { tubeCode: "TZ000018", capacity: 10 }, { occurredAt: now }),
      registration(c1, 5, "TZ000018", now),
      registration(c1, 7, "TZ000018", now, voided),
      c1.events.next(
        "registration.voided",
        { registrationId: voided, tubeCode: "TZ000018", reason: "登记错人" },
        { occurredAt: now },
      ),
    ]);
    await register("c2", "password-c2", "device-roster-7", "TZ000019", [6]);

    const city = await consoleToken("city", "password-city");
    expect((await importFile(city, rosterCsv())).statusCode).toBe(200);
    const today = await coverageOf(city, `site=ZF01&day=${siteDay(now)}`);
    expect(today.totals).toMatchObject({ entries: 15, sampled: 2 });
    const left = (await unsampled(city, `site=ZF01&day=${siteDay(now)}`)).residents.map((r) => r.name);
    expect(left).toHaveLength(13);
    expect(left).not.toContain(nameOf(5));
    expect(left).not.toContain(nameOf(6));
    expect(left).toContain(nameOf(7));
    const then = await coverageOf(city, `site=ZF01&day=${siteDay(earlier)}`);
    expect(then.totals.sampled).toBe(1);
    await expectCountsConsistent();
    // Imported again (the same grids replaced): the counts are the same, not doubled.
    expect((await importFile(city, rosterCsv())).statusCode).toBe(200);
    expect((await coverageOf(city, `site=ZF01&day=${siteDay(now)}`)).totals).toMatchObject({ entries: 15, sampled: 2 });
    await expectCountsConsistent();
  });

  it("imports a one-line roster without community or phone columns (empty community, no phone)", async () => {
    const city = await consoleToken("city", "password-city");
    const res = await importFile(city, Buffer.from(`姓名,证件号码,网格\n${nameOf(1)},${idNumber(1)},9号楼\n`, "utf8"));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<RosterImportReport>().imported).toBe(1);
    const entry = await server.store.db.selectFrom("roster_entries").selectAll().executeTakeFirstOrThrow();
    expect([entry.name, entry.doc_number, entry.grid, entry.community, entry.phone]).toEqual([
      nameOf(1),
      idNumber(1),
      "9号楼",
      "",
      null,
    ]);
  });

  it("counts a past round by what was registered in it, not by a later sampling", async () => {
    const city = await consoleToken("city", "password-city");
    await importFile(city, rosterCsv());
    const ctx = { store: server.store, dataDir: server.dataDir, actor: "test" };
    const today = siteDay(new Date().toISOString());
    const earlier = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const earlierDay = siteDay(earlier);
    await runCommand(["add-round", "第一轮", earlierDay, earlierDay], ctx);
    // Resident 1 sampled three days ago and again today; resident 2 only today.
    const c1 = await phone("c1", "password-c1", "device-roster-9");
    const now = new Date().toISOString();
    await push(c1, [
      c1.events.next("tube.opened", { tubeCode: "TZ000009", capacity: 10 }, { occurredAt: earlier }),
      registration(c1, 1, "TZ000009", earlier),
      c1.events.next("tube.opened", { tubeCode: "TZ000010", capacity: 10 }, { occurredAt: now }),
      registration(c1, 1, "TZ000010", now),
      registration(c1, 2, "TZ000010", now),
    ]);
    const rounds = (await inject("GET", "/api/v1/rounds", city)).json<{ rounds: { id: string }[] }>().rounds;
    const past = await coverageOf(city, `site=ZF01&round=${rounds[0]?.id}`);
    expect(past.totals.sampled).toBe(1);
    expect((await unsampled(city, `site=ZF01&round=${rounds[0]?.id}`)).total).toBe(14);
    expect((await coverageOf(city, `site=ZF01&day=${today}`)).totals.sampled).toBe(2);
  });
});
