/**
 * Result files a lab uploads (CSV or XLSX, from a LIS export or the template): each row read into a result, or refused
 * with its line number and why. Parsing is spreadsheet.ts's (Papa Parse, ExcelJS); this module only maps columns (Chinese or
 * English headers) and values. A row's result id is derived from its content, so uploading the same file twice
 * records nothing twice.
 */
import { createHash } from "node:crypto";
import { stringify } from "csv-stringify/sync";
import ExcelJS from "exceljs";
import { OUTCOMES, type Outcome, type ResultInput, ResultInputSchema } from "../../domain/labs";
import {
  cellText,
  columnsByHeader,
  readTable,
  SpreadsheetError,
  type SpreadsheetFormat,
  SpreadsheetTooLarge,
} from "../files/spreadsheet";

export type ResultFileFormat = SpreadsheetFormat;

export { XLSX_MIME } from "../files/spreadsheet";

/** The template's columns, first the Chinese header, then the English one (either is accepted). */
export const RESULT_COLUMNS = [
  { key: "tube", headers: ["试管条码", "tube_code"] },
  { key: "result", headers: ["结果", "result"] },
  { key: "ct", headers: ["Ct值", "ct"] },
  { key: "time", headers: ["检测时间", "resulted_at"] },
  { key: "reason", headers: ["更改原因", "reason"] },
  { key: "site", headers: ["采样点", "site"] },
] as const;
type ColumnKey = (typeof RESULT_COLUMNS)[number]["key"];

const OUTCOME_WORDS: Record<string, Outcome> = {
  阴性: "negative",
  阳性: "positive",
  无效: "invalid",
  "无效(重采)": "invalid",
  拒收: "rejected",
  样本拒收: "rejected",
  ...Object.fromEntries(OUTCOMES.map((o) => [o, o])),
};

export type ParsedRow = { line: number; input: ResultInput } | { line: number; tubeCode: string; problem: string };

const text = cellText;

/** "28.4" (one target) or "ORF1ab:28.4;N:27.1". */
function parseCt(value: string): Record<string, number> | null | undefined {
  if (value === "") return undefined;
  const single = Number(value);
  if (Number.isFinite(single)) return { Ct: single };
  const ct: Record<string, number> = {};
  for (const part of value.split(/[;；,，]/)) {
    const [target, n] = part.split(/[:：=]/).map((s) => s.trim());
    const number = Number(n);
    if (!target || n === undefined || !Number.isFinite(number)) return null;
    ct[target] = number;
  }
  return ct;
}

/** "2026-12-04 10:00", "2026/12/04 10:00:00" (Beijing time) or ISO 8601 with an offset. */
function parseTime(value: string): string | null {
  if (value === "") return null;
  const local = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (local) {
    const [, y, mo, d, h, mi, s] = local;
    const iso = `${y}-${mo?.padStart(2, "0")}-${d?.padStart(2, "0")}T${h?.padStart(2, "0")}:${mi}:${s ?? "00"}+08:00`;
    return Number.isNaN(Date.parse(iso)) ? null : iso;
  }
  const parsed = Date.parse(value);
  return /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) && !Number.isNaN(parsed) ? new Date(parsed).toISOString() : null;
}

function rowOf(line: number, cells: Partial<Record<ColumnKey, string>>, labCode: string): ParsedRow {
  const tubeCode = (cells.tube ?? "").toUpperCase();
  const bad = (problem: string): ParsedRow => ({ line, tubeCode, problem });
  if (!tubeCode) return bad("no tube code / 缺少试管条码");
  const outcome = OUTCOME_WORDS[(cells.result ?? "").toLowerCase()] ?? OUTCOME_WORDS[cells.result ?? ""];
  if (!outcome) return bad(`unknown result "${cells.result ?? ""}" / 结果应为 阴性、阳性、无效 或 拒收`);
  const ct = parseCt(cells.ct ?? "");
  if (ct === null) return bad(`unreadable Ct "${cells.ct}" / Ct 值格式：28.4 或 ORF1ab:28.4;N:27.1`);
  const resultedAt = parseTime(cells.time ?? "");
  if (!resultedAt) return bad(`unreadable time "${cells.time ?? ""}" / 检测时间格式：2026-12-04 10:00`);
  const site = cells.site ? cells.site.toUpperCase() : undefined;
  const resultId = `up-${createHash("sha256")
    .update(
      [labCode, site ?? "", tubeCode, outcome, resultedAt, JSON.stringify(ct ?? null), cells.reason ?? ""].join(
        "\u0000",
      ),
    )
    .digest("hex")
    .slice(0, 40)}`;
  const checked = ResultInputSchema.safeParse({
    resultId,
    tubeCode,
    outcome,
    resultedAt,
    ...(ct ? { ct } : {}),
    ...(cells.reason ? { reason: cells.reason } : {}),
    ...(site ? { siteCode: site } : {}),
  });
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return bad(`${issue?.path.join(".") ?? "row"}: ${issue?.message ?? "invalid"}`);
  }
  return { line, input: checked.data };
}

/** Errors of the file as a whole (the route answers 400, or 413 for its size). */
export { SpreadsheetError as ResultFileError, SpreadsheetTooLarge as ResultFileTooLarge };

/** A day's results of a big lab are tens of thousands of rows; more is a mistake or an attack, and is split. */
export const MAX_RESULT_ROWS = 100_000;
/** The template's sheet with MAX_RESULT_ROWS rows unpacks to well under this. */
const MAX_UNZIPPED_BYTES = 100 * 1024 * 1024;

/** Every data row of the file, parsed or refused (line numbers as a spreadsheet shows them: the header is line 1). */
export async function parseResultFile(data: Buffer, format: ResultFileFormat, labCode: string): Promise<ParsedRow[]> {
  const table = await readTable(data, format, { maxRows: MAX_RESULT_ROWS, maxUnzippedBytes: MAX_UNZIPPED_BYTES });
  const [header, ...rows] = table;
  const columns = columnsByHeader(header ?? [], RESULT_COLUMNS);
  const found = new Set(columns.values());
  for (const required of ["tube", "result", "time"] as const) {
    if (!found.has(required)) {
      const names = RESULT_COLUMNS.find((c) => c.key === required)?.headers.join(" / ");
      throw new SpreadsheetError(`the header row lacks the column ${names}`);
    }
  }
  const parsed: ParsedRow[] = [];
  rows.forEach((cells, i) => {
    if (cells.every((c) => text(c) === "")) return;
    const byKey: Partial<Record<ColumnKey, string>> = {};
    for (const [index, key] of columns) byKey[key] = text(cells[index]);
    parsed.push(rowOf(i + 2, byKey, labCode));
  });
  return parsed;
}

/** The template: the header row and one example row. */
export async function resultTemplate(format: ResultFileFormat): Promise<Buffer> {
  const header = RESULT_COLUMNS.map((c) => c.headers[0]);
  const example = ["YT00000001", "阴性", "", "2026-12-04 10:00", "", ""];
  if (format === "csv") return Buffer.from(`\uFEFF${stringify([header, example])}`, "utf8");
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("results");
  sheet.addRow(header);
  sheet.addRow(example);
  sheet.columns.forEach((column) => {
    column.width = 18;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
