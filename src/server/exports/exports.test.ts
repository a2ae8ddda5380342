// Exports on both stores: row counts and values equal the database; CSV with BOM that round-trips Chinese names
// (𠮷, ·); XLSX that ExcelJS reads back; filters (district, site, day, round); masked vs full numbers by role and
// reason; every export audited; one-time download tickets.
import ExcelJS from "exceljs";
import Papa from "papaparse";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ExportRequest } from "../../domain/command";
import type { LoginResponse, PushResponse } from "../../domain/protocol";
import { eventStream, nextTestUuid } from "../../domain/testEvents";
import { runCommand } from "../cli/commands";
import { startTestServer, TEST_STORES, type TestServer } from "../testServer";

describe.each(TEST_STORES)("exports on %s", (kind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ kind, demo: false });
    const ctx = { store: server.store, dataDir: server.dataDir, actor: "test" };
    const run = (...argv: string[]) => runCommand(argv, ctx);
    await run("add-site", "ZF01", "毓璜顶一号点", "--district", "芝罘区", "--street", "毓璜顶街道");
    await run("add-site", "LS01", "莱山一号点", "--district", "莱山区", "--street", "初家街道");
    await run("add-staff", "c1", "采集员一", "--site", "ZF01", "--role", "collector", "--password", "password-c1");
    await run("add-staff", "c2", "采集员二", "--site", "LS01", "--role", "collector", "--password", "password-c2");
    await run("add-staff", "lead1", "组长", "--site", "ZF01", "--role", "site_lead", "--password", "password-lead");
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
    await run("add-round", "第二轮全员核酸", "2021-08-03", "2021-08-04");
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
  const consoleToken = async (username: string, password: string) =>
    (await post("/api/v1/auth/console-login", { username, password })).json<{ token: string }>().token;

  const NAMES = ["𠮷野家", "阿依古丽·买买提", "张三", "李四"];
  /** Registrations at a site on a day (Beijing 09:00 onwards), names from NAMES, phones 1390000000n. */
  async function push(username: string, password: string, deviceId: string, tube: string, day: string, people: number) {
    const login = (await post("/api/v1/auth/login", { username, password, deviceId })).json<LoginResponse>();
    const events = eventStream(deviceId, login.site.code, login.staff.id);
    const at = (minute: number) => ({ occurredAt: `${day}T09:${String(minute).padStart(2, "0")}:00+08:00` });
    const batch = [events.next("tube.opened", { tubeCode: tube, capacity: 10 }, at(0))];
    for (let i = 0; i < people; i++) {
      batch.push(
        events.next(
          "registration.added",
          {
            registrationId: nextTestUuid(),
            tubeCode: tube,
            resident: {
              name: NAMES[i % NAMES.length] as string,
              docType: "PP",
              docNumber: `E${tube.slice(-4)}${String(i).padStart(4, "0")}`,
              phone: `1390000000${i}`,
            },
          },
          at(i + 1),
        ),
      );
    }
    const res = await post("/api/v1/events/push", { deviceId, events: batch }, login.token);
    expect(res.json<PushResponse>().results.filter((r) => r.status !== "accepted")).toEqual([]);
  }

  /** Asks for an export and downloads it with the ticket. */
  async function download(token: string, request: ExportRequest) {
    const asked = await post("/api/v1/exports", request, token);
    if (asked.statusCode !== 200) return { status: asked.statusCode, code: asked.json().code as string };
    const { url } = asked.json<{ url: string }>();
    const file = await server.app.inject({ method: "GET", url });
    return { status: file.statusCode, body: file.rawPayload, url, headers: file.headers };
  }
  // The file's rows (TextDecoder drops the BOM; Papa Parse reads the final line break as one more, empty row).
  const csvRows = (body: Buffer) => Papa.parse<string[]>(new TextDecoder().decode(body), { skipEmptyLines: true }).data;

  it("streams registrations as CSV and XLSX equal to the database, masked unless an admin gives a reason", async () => {
    await push("c1", "password-c1", "device-zf01-a", "TZ000001", "2021-08-03", 4);
    await push("c2", "password-c2", "device-ls01-a", "TL000001", "2021-08-03", 3);
    await push("c1", "password-c1", "device-zf01-b", "TZ000002", "2021-08-05", 2);
    const city = await consoleToken("city", "password-city");

    const all = await download(city, { dataset: "registrations", format: "csv" });
    expect(all.status).toBe(200);
    const body = all.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = csvRows(body);
    const stored = await server.store.db.selectFrom("registrations").selectAll().execute();
    expect(rows.length - 1).toBe(stored.length);
    expect(rows[0]?.slice(0, 10)).toEqual([
      "采样点编码",
      "采样点",
      "区县",
      "街道",
      "试管条码",
      "姓名",
      "证件类型",
      "证件号码",
      "手机",
      "社区",
    ]);
    // Names round-trip, numbers and phones masked.
    expect(new Set(rows.slice(1).map((r) => r[5]))).toEqual(new Set(NAMES));
    const first = rows.find((r) => r[4] === "TZ000001" && r[5] === "𠮷野家") as string[];
    expect([first[7], first[8], first[10]]).toEqual(["*****0000", "139****0000", "2021-08-03 09:01:00"]);
    expect(stored.some((s) => rows.some((r) => r[7] === s.doc_number))).toBe(false);

    // Full numbers: a reason is required, then every number is there; both exports audited.
    expect(await download(city, { dataset: "registrations", format: "csv", full: true })).toMatchObject({
      status: 400,
      code: "reason_required",
    });
    const full = await download(city, { dataset: "registrations", format: "csv", full: true, reason: "流调" });
    const fullRows = csvRows(full.body as Buffer);
    expect(new Set(fullRows.slice(1).map((r) => r[7]))).toEqual(new Set(stored.map((s) => s.doc_number)));
    const audits = await server.store.db
      .selectFrom("audit_log")
      .select(["subject", "detail"])
      .where("action", "=", "export")
      .execute();
    expect(
      audits.map((a) => [a.subject, JSON.parse(a.detail ?? "{}").full, JSON.parse(a.detail ?? "{}").reason]),
    ).toEqual([
      ["registrations", false, null],
      ["registrations", true, "流调"],
    ]);
    // The ticket was for one download.
    const again = await server.app.inject({ method: "GET", url: full.url as string });
    expect([again.statusCode, again.json().code]).toEqual([410, "ticket_used"]);
    const unknown = await server.app.inject({
      method: "GET",
      url: "/api/v1/exports/download/not-a-real-ticket-at-all",
    });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, "unknown_ticket"]);

    // XLSX reads back with ExcelJS, the same rows.
    const xlsx = await download(city, { dataset: "registrations", format: "xlsx", day: "2021-08-03" });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const sheet = book.worksheets[0] as ExcelJS.Worksheet;
    expect(sheet.rowCount - 1).toBe(7);
    const names = new Set<string>();
    sheet.eachRow((row, n) => {
      if (n > 1) names.add(String(row.getCell(6).value));
    });
    expect(names).toEqual(new Set(NAMES));

    // Filters: a day, a round, a district, a site.
    const count = async (request: Omit<ExportRequest, "dataset" | "format">) =>
      csvRows((await download(city, { dataset: "registrations", format: "csv", ...request })).body as Buffer).length -
      1;
    const rounds = await server.store.db.selectFrom("rounds").select("id").execute();
    expect(await count({ day: "2021-08-03" })).toBe(7);
    expect(await count({ day: "2021-08-05" })).toBe(2);
    expect(await count({ round: rounds[0]?.id as string })).toBe(7);
    expect(await count({ district: "芝罘区" })).toBe(6);
    expect(await count({ site: "LS01" })).toBe(3);
    expect(await count({ district: "芝罘区", day: "2021-08-03" })).toBe(4);
  });

  it("exports tubes, boxes, results and recalls; keeps each role to its own data", async () => {
    await push("c1", "password-c1", "device-zf01-a", "TZ000001", "2021-08-03", 2);
    await push("c2", "password-c2", "device-ls01-a", "TL000001", "2021-08-03", 1);
    const city = await consoleToken("city", "password-city");
    for (const dataset of ["tubes", "boxes", "results", "recalls"] as const) {
      const res = await download(city, { dataset, format: "csv" });
      expect([dataset, res.status]).toEqual([dataset, 200]);
      const expected = { tubes: 2, boxes: 0, results: 0, recalls: 0 }[dataset];
      expect([dataset, csvRows(res.body as Buffer).length - 1]).toEqual([dataset, expected]);
    }

    // A district admin: their district, whatever they ask; another district is 403.
    const zf = await consoleToken("zfadmin", "password-zf");
    expect(csvRows((await download(zf, { dataset: "registrations", format: "csv" })).body as Buffer).length - 1).toBe(
      2,
    );
    expect(await download(zf, { dataset: "registrations", format: "csv", district: "莱山区" })).toMatchObject({
      status: 403,
      code: "other_district",
    });
    expect(await download(zf, { dataset: "registrations", format: "csv", site: "LS01" })).toMatchObject({
      status: 403,
      code: "other_district",
    });
    // A site lead: their site, masked only.
    const lead = await consoleToken("lead1", "password-lead");
    expect(csvRows((await download(lead, { dataset: "registrations", format: "csv" })).body as Buffer).length - 1).toBe(
      2,
    );
    expect(await download(lead, { dataset: "registrations", format: "csv", full: true, reason: "核对" })).toMatchObject(
      {
        status: 403,
        code: "full_numbers_admin_only",
      },
    );
    expect(await download(lead, { dataset: "registrations", format: "csv", site: "LS01" })).toMatchObject({
      status: 403,
      code: "wrong_site",
    });
    // A collector: 403, whatever the body.
    const collector = await consoleToken("c1", "password-c1");
    expect(await download(collector, { dataset: "registrations", format: "csv" })).toMatchObject({
      status: 403,
      code: "forbidden_role",
    });
    const bad = await post("/api/v1/exports", { dataset: "people", format: "pdf" }, city);
    expect([bad.statusCode, bad.json().code]).toEqual([400, "invalid_request"]);
  });
});
