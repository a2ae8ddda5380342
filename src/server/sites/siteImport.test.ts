// Sites from a CSV or XLSX file on both stores: created, updated, unchanged or refused with the line number; only a
// city administrator may import; the CLI does the same.
import { writeFileSync } from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCommand } from "../cli/commands";
import { XLSX_MIME } from "../files/spreadsheet";
import { startTestServer, TEST_STORES, type TestServer } from "../testServer";

describe.each(TEST_STORES)("site import on %s", (kind) => {
  let server: TestServer;
  const ctx = () => ({ store: server.store, dataDir: server.dataDir, actor: "test" });
  beforeEach(async () => {
    server = await startTestServer({ kind, demo: false });
    await runCommand(["add-site", "ZF01", "毓璜顶一号点", "--district", "芝罘区", "--street", "毓璜顶街道"], ctx());
    await runCommand(["add-staff", "city", "市指挥部", "--role", "admin", "--password", "password-city"], ctx());
    await runCommand(
      ["add-staff", "zf", "芝罘区指挥部", "--role", "admin", "--district", "芝罘区", "--password", "password-zf"],
      ctx(),
    );
  });
  afterEach(async () => {
    await server.dispose();
  });

  const token = async (username: string, password: string) =>
    (
      await server.app.inject({ method: "POST", url: "/api/v1/auth/console-login", payload: { username, password } })
    ).json<{ token: string }>().token;
  const upload = (bearer: string, body: Buffer, type: string) =>
    server.app.inject({
      method: "POST",
      url: "/api/v1/admin/sites/import",
      headers: { authorization: `Bearer ${bearer}`, "content-type": type },
      payload: body,
    });

  it("creates, updates and refuses rows with their line numbers, from CSV and XLSX", async () => {
    const city = await token("city", "password-city");
    const csv = Buffer.from(
      [
        "\uFEFF采样点编码,采样点名称,区县,街道,混管人数",
        "zf02,毓璜顶二号点,芝罘区,毓璜顶街道,10",
        "ZF01,毓璜顶一号点（新址）,芝罘区,毓璜顶街道,",
        "LS01,莱山一号点,莱山区,初家街道,20",
        "bad code!,某点,芝罘区,,10",
        "ZF02,重复,芝罘区,,10",
        "FS01,福山一号点,,清洋街道,10",
        "FS02,福山二号点,福山区,清洋街道,7",
        "",
      ].join("\n"),
      "utf8",
    );
    const first = await upload(city, csv, "text/csv");
    expect(first.statusCode).toBe(200);
    expect(
      first.json().rows.map((r: { line: number; status: string; reason?: string }) => [r.line, r.status, r.reason]),
    ).toEqual([
      [2, "created", undefined],
      [3, "updated", undefined],
      [4, "created", undefined],
      [5, "refused", "bad_code"],
      [6, "refused", "duplicate_code"],
      [7, "refused", "street_without_district"],
      [8, "refused", "bad_pool"],
    ]);
    const sites = await server.store.db
      .selectFrom("sites")
      .select(["code", "name", "district", "pool_size"])
      .orderBy("code")
      .execute();
    expect(sites).toEqual([
      { code: "LS01", name: "莱山一号点", district: "莱山区", pool_size: 20 },
      { code: "ZF01", name: "毓璜顶一号点（新址）", district: "芝罘区", pool_size: 10 },
      { code: "ZF02", name: "毓璜顶二号点", district: "芝罘区", pool_size: 10 },
    ]);

    // The same through XLSX, made from the server's own template: unchanged the second time.
    const template = await server.app.inject({
      method: "GET",
      url: "/api/v1/admin/sites/template?format=xlsx",
      headers: { authorization: `Bearer ${city}` },
    });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(template.rawPayload as unknown as ArrayBuffer);
    const sheet = book.worksheets[0] as ExcelJS.Worksheet;
    sheet.spliceRows(2, 1, ["ZF02", "毓璜顶二号点", "芝罘区", "毓璜顶街道", 10, "否"]);
    const xlsx = await upload(city, Buffer.from(await book.xlsx.writeBuffer()), XLSX_MIME);
    expect(xlsx.json().rows).toEqual([{ line: 2, code: "ZF02", status: "unchanged" }]);

    // The CLI reads the same files.
    const file = path.join(server.dataDir, "sites.csv");
    writeFileSync(file, "采样点编码,采样点名称,区县,街道\nMP01,牟平一号点,牟平区,宁海街道\n");
    expect((await runCommand(["import-sites", file], ctx()))[0]).toBe(
      "1 sites created, 0 updated, 0 unchanged, 0 refused",
    );
  });

  it("lets only a city administrator import, and refuses files it cannot read", async () => {
    const zf = await token("zf", "password-zf");
    const refused = await upload(zf, Buffer.from("采样点编码,采样点名称\nX1,某点\n"), "text/csv");
    expect([refused.statusCode, refused.json().code]).toEqual([403, "city_admin_only"]);
    const city = await token("city", "password-city");
    const noColumns = await upload(city, Buffer.from("a,b\n1,2\n"), "text/csv");
    expect([noColumns.statusCode, noColumns.json().code]).toEqual([400, "unreadable_file"]);
    const garbage = await upload(city, Buffer.from("not a spreadsheet"), XLSX_MIME);
    expect([garbage.statusCode, garbage.json().code]).toEqual([400, "unreadable_file"]);
    expect(await server.store.db.selectFrom("sites").select("code").execute()).toEqual([{ code: "ZF01" }]);
  });
});
