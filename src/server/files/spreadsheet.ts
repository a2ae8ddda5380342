/**
 * An uploaded spreadsheet (CSV or XLSX) as a table of text cells, for the imports that read one (lab results,
 * sites). CSV: UTF-8 (with or without BOM, as our templates are) or GB18030 — what Excel saves as CSV on Chinese
 * Windows, a superset of GBK. XLSX: the first sheet, after checking what it unpacks to. Parsing is csv-parse's and
 * ExcelJS's; nothing here echoes the file's bytes back in an error.
 */
import { isUtf8 } from "node:buffer";
import { Readable } from "node:stream";
import { parse as parseStream } from "csv-parse";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import type { FastifyInstance } from "fastify";
import { ApiError } from "../errors";
import { assertUnzippedWithin, UnzippedTooLarge } from "./unzippedSize";
import { XlsxUnreadable, xlsxRows } from "./xlsxRows";

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

/** Bytes of text decoded and handed to the CSV parser at a time. */
const CSV_CHUNK = 1 << 20;

/**
 * The file's rows one at a time, with their line numbers (1: the header), for files too big to hold as a table (a
 * district's roster): csv-parse's stream over the text decoded chunk by chunk; our own streaming reader over the
 * first sheet (after the unzipped-size check) through xlsxRows.ts. Beyond `maxRows` data rows it throws
 * SpreadsheetTooLarge.
 */
export async function* streamRows(
  data: Buffer,
  format: SpreadsheetFormat,
  limits: { maxRows: number; maxUnzippedBytes: number },
): AsyncGenerator<{ line: number; cells: string[] }> {
  const tooMany = () => new SpreadsheetTooLarge(`the file has more than ${limits.maxRows} rows; split it`);
  if (format === "csv") {
    const decoder = new TextDecoder(isUtf8(data) ? "utf-8" : "gb18030");
    const text = Readable.from(
      (function* () {
        for (let i = 0; i < data.length; i += CSV_CHUNK)
          yield decoder.decode(data.subarray(i, i + CSV_CHUNK), { stream: true });
        const rest = decoder.decode();
        if (rest) yield rest;
      })(),
    );
    const parser = text.pipe(parseStream({ bom: true, relax_column_count: true, info: true }));
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        if (info.lines - 1 > limits.maxRows) throw tooMany();
        yield { line: info.lines, cells: record.map(cellText) };
      }
    } catch (error) {
      if (error instanceof SpreadsheetError) throw error;
      const line = (error as { lines?: number }).lines;
      throw new SpreadsheetError(`not a readable CSV file${line ? ` (near line ${line})` : ""}`);
    } finally {
      parser.destroy();
    }
    return;
  }
  try {
    await assertUnzippedWithin(data, limits.maxUnzippedBytes);
  } catch (error) {
    if (error instanceof UnzippedTooLarge) throw new SpreadsheetTooLarge(error.message);
    throw new SpreadsheetError("not a readable XLSX file");
  }
  try {
    for await (const row of xlsxRows(data)) {
      if (row.line - 1 > limits.maxRows) throw tooMany();
      yield row;
    }
  } catch (error) {
    if (error instanceof XlsxUnreadable) throw new SpreadsheetError(error.message);
    throw error;
  }
}

/** A file refused as the API answers it (413 for its size, 400 for its content); any other error as it is. */
export function spreadsheetApiError(error: unknown): unknown {
  if (error instanceof SpreadsheetTooLarge) return new ApiError(413, "file_too_large", error.message);
  if (error instanceof SpreadsheetError) return new ApiError(400, "unreadable_file", error.message);
  return error;
}

/** The routes of a plugin that take a spreadsheet's bytes as the body: CSV or XLSX, up to `bodyLimit` bytes. */
export function acceptSpreadsheets(app: Pick<FastifyInstance, "addContentTypeParser">, bodyLimit: number): void {
  app.addContentTypeParser(["text/csv", XLSX_MIME], { parseAs: "buffer", bodyLimit }, (_request, body, done) =>
    done(null, body),
  );
}

/** The body's format by its content type (the parser above takes only these two). */
export const spreadsheetFormatOf = (contentType: string | undefined): SpreadsheetFormat =>
  contentType?.startsWith("text/csv") ? "csv" : "xlsx";
