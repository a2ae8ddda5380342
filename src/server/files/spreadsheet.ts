/**
 * An uploaded spreadsheet (CSV or XLSX) as a table of text cells, for the imports that read one (lab results,
 * sites). CSV: UTF-8 (with or without BOM, as our templates are) or GB18030 — what Excel saves as CSV on Chinese
 * Windows, a superset of GBK. XLSX: the first sheet, after checking what it unpacks to. Parsing is csv-parse's and
 * ExcelJS's; nothing here echoes the file's bytes back in an error.
 */
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { assertUnzippedWithin, UnzippedTooLarge } from "./unzippedSize";

export type SpreadsheetFormat = "csv" | "xlsx";

export const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

export class SpreadsheetError extends Error {}
/** Refused for its size, not its content: routes answer 413. */
export class SpreadsheetTooLarge extends SpreadsheetError {}

/** A cell's text: rich text, formulas' results and numbers as text, trimmed; Excel date-times as local time. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString().slice(0, 19).replace("T", " ");
  if (typeof value === "object" && "text" in (value as object)) return String((value as { text: unknown }).text);
  if (typeof value === "object" && "result" in (value as object))
    return cellText((value as { result: unknown }).result);
  return String(value).trim();
}

function csvText(data: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(data);
  } catch {
    return new TextDecoder("gb18030").decode(data);
  }
}

/** Every row of the file (the header is row 0), each cell as text; refused whole beyond `maxRows` data rows. */
export async function readTable(
  data: Buffer,
  format: SpreadsheetFormat,
  limits: { maxRows: number; maxUnzippedBytes: number },
): Promise<string[][]> {
  let table: string[][];
  if (format === "csv") {
    try {
      table = parse(csvText(data), { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
    } catch (error) {
      const line = (error as { lines?: number }).lines;
      throw new SpreadsheetError(`not a readable CSV file${line ? ` (near line ${line})` : ""}`);
    }
  } else {
    try {
      await assertUnzippedWithin(data, limits.maxUnzippedBytes);
    } catch (error) {
      if (error instanceof UnzippedTooLarge) throw new SpreadsheetTooLarge(error.message);
      throw new SpreadsheetError("not a readable XLSX file");
    }
    const workbook = new ExcelJS.Workbook();
    try {
      await workbook.xlsx.load(data as unknown as ArrayBuffer);
    } catch {
      throw new SpreadsheetError("not a readable XLSX file");
    }
    const sheet = workbook.worksheets[0];
    if (!sheet) throw new SpreadsheetError("the XLSX file has no sheet");
    table = [];
    sheet.eachRow({ includeEmpty: true }, (row, number) => {
      const values = Array.isArray(row.values) ? row.values.slice(1) : [];
      table[number - 1] = values.map(cellText);
    });
    for (let i = 0; i < table.length; i++) table[i] ??= [];
  }
  if (table.length - 1 > limits.maxRows) {
    throw new SpreadsheetTooLarge(`the file has more than ${limits.maxRows} rows; split it`);
  }
  return table.map((row) => row.map(cellText));
}

/** Column index → key, by header names (any of each key's names, case and spaces ignored). */
export function columnsByHeader<K extends string>(
  header: string[],
  columns: readonly { key: K; headers: readonly string[] }[],
): Map<number, K> {
  const normal = (s: string) => s.replace(/\s+/g, "").toLowerCase();
  const found = new Map<number, K>();
  header.forEach((name, index) => {
    const column = columns.find((c) => c.headers.some((h) => normal(h) === normal(name)));
    if (column) found.set(index, column.key);
  });
  return found;
}
