/**
 * Sites imported from a CSV or XLSX file (the command centre's list of sampling points): a new code is created, a
 * known one gets its name, district and street updated (its pool size and phone rule are the site lead's). Every
 * row is reported with its line number: created, updated, unchanged, or refused and why. One transaction; audited.
 */
import { stringify } from "csv-stringify/sync";
import ExcelJS from "exceljs";
import type { Kysely } from "kysely";
import { PlaceNameSchema } from "../../domain/command";
import { POOL_SIZES, type PoolSize } from "../../domain/events";
import { textProblem } from "../../domain/safeText";
import { DEFAULT_BOX_PATTERN, DEFAULT_TUBE_PATTERN } from "../../domain/scanCodes";
import { audit } from "../audit/audit";
import type { Database } from "../db/schema";
import { columnsByHeader, readTable, SpreadsheetError, type SpreadsheetFormat } from "../files/spreadsheet";

export const SITE_COLUMNS = [
  { key: "code", headers: ["采样点编码", "code"] },
  { key: "name", headers: ["采样点名称", "name"] },
  { key: "district", headers: ["区县", "district"] },
  { key: "street", headers: ["街道", "street"] },
  { key: "pool", headers: ["混管人数", "pool"] },
  { key: "phone", headers: ["必须登记手机", "phone_required"] },
] as const;
type Key = (typeof SITE_COLUMNS)[number]["key"];

export type SiteImportRow =
  | { line: number; code: string; status: "created" | "updated" | "unchanged" }
  | { line: number; code: string; status: "refused"; problem: string; reason: SiteRefusal };

/** Why a row is refused, for the console's words in its language (the problem is the English text). */
export type SiteRefusal =
  | "bad_code"
  | "duplicate_code"
  | "bad_name"
  | "bad_place"
  | "street_without_district"
  | "bad_pool";

const SITE_CODE = /^[A-Z0-9][A-Z0-9_-]{1,31}$/;
const YES = new Set(["是", "y", "yes", "1", "true"]);

/** A city has a few thousand sampling points: more rows is a wrong file. */
const MAX_SITE_ROWS = 20_000;

export async function importSites(
  db: Kysely<Database>,
  data: Buffer,
  format: SpreadsheetFormat,
  actor: string,
): Promise<SiteImportRow[]> {
  const [header = [], ...rows] = await readTable(data, format, {
    maxRows: MAX_SITE_ROWS,
    maxUnzippedBytes: 50 * 1024 * 1024,
  });
  const columns = columnsByHeader(header, SITE_COLUMNS);
  const found = new Set(columns.values());
  for (const required of ["code", "name"] as const) {
    if (!found.has(required)) {
      const names = SITE_COLUMNS.find((c) => c.key === required)?.headers.join(" / ");
      throw new SpreadsheetError(`the header row lacks the column ${names}`);
    }
  }
  const report: SiteImportRow[] = [];
  const seen = new Set<string>();
  await db.transaction().execute(async (trx) => {
    for (const [i, cells] of rows.entries()) {
      if (cells.every((c) => c === "")) continue;
      const line = i + 2;
      const cell: Partial<Record<Key, string>> = {};
      for (const [index, key] of columns) cell[key] = cells[index] ?? "";
      const code = (cell.code ?? "").toUpperCase();
      const refuse = (reason: SiteRefusal, problem: string) =>
        report.push({ line, code, status: "refused", reason, problem });
      if (!SITE_CODE.test(code)) {
        refuse("bad_code", "site code: 2–32 of A–Z, 0–9, _ or -");
        continue;
      }
      if (seen.has(code)) {
        refuse("duplicate_code", "this code is on an earlier line of the file");
        continue;
      }
      seen.add(code);
      const name = (cell.name ?? "").trim();
      if (name === "" || name.length > 100 || textProblem(name) !== null) {
        refuse("bad_name", "name: 1–100 characters, no control characters");
        continue;
      }
      const place = (value: string | undefined) => (value ? PlaceNameSchema.safeParse(value) : null);
      const district = place(cell.district);
      const street = place(cell.street);
      if ((district && !district.success) || (street && !street.success)) {
        refuse("bad_place", "district and street: 1–50 characters, no control characters");
        continue;
      }
      if (street?.success && !district?.success) {
        refuse("street_without_district", "a street needs its district");
        continue;
      }
      const pool = cell.pool ? Number(cell.pool) : 10;
      if (!POOL_SIZES.includes(pool as PoolSize)) {
        refuse("bad_pool", `pool size: one of ${POOL_SIZES.join(", ")}`);
        continue;
      }
      const values = {
        name,
        district: district?.success ? district.data : "",
        street: street?.success ? street.data : "",
      };
      const existing = await trx
        .selectFrom("sites")
        .select(["name", "district", "street"])
        .where("code", "=", code)
        .executeTakeFirst();
      if (!existing) {
        await trx
          .insertInto("sites")
          .values({
            code,
            ...values,
            pool_size: pool,
            tube_pattern: DEFAULT_TUBE_PATTERN,
            box_pattern: DEFAULT_BOX_PATTERN,
            phone_required: YES.has((cell.phone ?? "").trim().toLowerCase()) ? 1 : 0,
            created_at: new Date().toISOString(),
          })
          .execute();
        report.push({ line, code, status: "created" });
      } else if (
        existing.name === values.name &&
        existing.district === values.district &&
        existing.street === values.street
      ) {
        report.push({ line, code, status: "unchanged" });
      } else {
        await trx.updateTable("sites").set(values).where("code", "=", code).execute();
        report.push({ line, code, status: "updated" });
      }
    }
    const count = (status: SiteImportRow["status"]) => report.filter((r) => r.status === status).length;
    await audit(trx, {
      action: "sites_imported",
      actor,
      detail: { created: count("created"), updated: count("updated"), refused: count("refused") },
    });
  });
  return report;
}

/** The template: the header row and one example row, CSV (with BOM) or XLSX. */
export async function siteTemplate(format: SpreadsheetFormat): Promise<Buffer> {
  const header = SITE_COLUMNS.map((c) => c.headers[0]);
  const example = ["ZF0001", "毓璜顶一号点", "芝罘区", "毓璜顶街道", "10", "否"];
  if (format === "csv") return Buffer.from(`\uFEFF${stringify([header, example])}`, "utf8");
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("sites");
  sheet.addRow(header);
  sheet.addRow(example);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
