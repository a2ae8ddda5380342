/**
 * An uploaded spreadsheet (CSV or XLSX) as a table of text cells, for the imports that read one (lab results,
 * sites). CSV: UTF-8 (with or without BOM, as our templates are) or GB18030 — what Excel saves as CSV on Chinese
 * Windows, a superset of GBK. XLSX: the first sheet, after checking what it unpacks to. Parsing is Papa Parse's (CSV),
 * ExcelJS's and our streaming reader's (XLSX); nothing here echoes the file's bytes back in an error.
 */
import { isUtf8 } from "node:buffer";
import { Readable } from "node:stream";
import ExcelJS from "exceljs";
import type { FastifyInstance } from "fastify";
import Papa from "papaparse";
import { ApiError } from "../errors";
import { type UploadSource, uploadChunks, uploadIsUtf8 } from "./spooledUpload";
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

/** UTF-8 (its BOM dropped by the decoder) unless the bytes are not, then GB18030. */
const csvDecoder = (data: Buffer) => new TextDecoder(isUtf8(data) ? "utf-8" : "gb18030");

/** Papa Parse's options for every CSV read here: comma-separated, every cell as text, blank lines kept (they count). */
const CSV_OPTIONS = { delimiter: ",", dynamicTyping: false, skipEmptyLines: false } as const;

/** The first malformed quote Papa Parse reported, as our error (near the line it was on). */
function csvProblem(errors: Papa.ParseError[], lineOfRow: (row: number) => number): SpreadsheetError | null {
  const quote = errors.find((e) => e.type === "Quotes");
  if (!quote) return null;
  const line = typeof quote.row === "number" ? lineOfRow(quote.row) : null;
  return new SpreadsheetError(`not a readable CSV file${line ? ` (near line ${line})` : ""}`);
}

/** A row's lines in the file: one, plus each line break inside its quoted cells. */
const linesOf = (cells: string[]) => {
  let lines = 1;
  for (const cell of cells) for (let i = cell.indexOf("\n"); i !== -1; i = cell.indexOf("\n", i + 1)) lines++;
  return lines;
};
/** Papa Parse reads the line break that ends a file as one more (empty) row: not a row of the file. */
const isEndOfFile = (cells: string[]) => cells.length === 1 && cells[0] === "";

/** Every row of the file (the header is row 0), each cell as text; refused whole beyond `maxRows` data rows. */
export async function readTable(
  data: Buffer,
  format: SpreadsheetFormat,
  limits: { maxRows: number; maxUnzippedBytes: number },
): Promise<string[][]> {
  let table: string[][];
  if (format === "csv") {
    const parsed = Papa.parse<string[]>(csvDecoder(data).decode(data), CSV_OPTIONS);
    table = parsed.data;
    const lines: number[] = [];
    for (let i = 0, line = 1; i < table.length; line += linesOf(table[i] as string[]), i++) lines.push(line);
    const problem = csvProblem(parsed.errors, (row) => lines[row] ?? 0);
    if (problem) throw problem;
    if (table.length > 0 && isEndOfFile(table[table.length - 1] as string[])) table.pop();
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
 * district's roster): Papa Parse over the text decoded a megabyte at a time, paused while its rows are taken; our own
 * streaming reader over the first sheet (after the unzipped-size check) through xlsxRows.ts. Beyond `maxRows` data
 * rows it throws SpreadsheetTooLarge.
 */
export async function* streamRows(
  source: UploadSource,
  format: SpreadsheetFormat,
  limits: { maxRows: number; maxUnzippedBytes: number },
): AsyncGenerator<{ line: number; cells: string[] }> {
  const tooMany = () => new SpreadsheetTooLarge(`the file has more than ${limits.maxRows} rows; split it`);
  if (format === "csv") {
    let line = 1;
    // One row held back: the file's last line break reads as one more empty row, dropped at the end.
    let held: { line: number; cells: string[] } | null = null;
    for await (const chunk of csvChunks(source)) {
      const lines: number[] = [];
      for (const cells of chunk.rows) {
        lines.push(line);
        line += linesOf(cells);
      }
      const problem = csvProblem(chunk.errors, (row) => lines[row] ?? 0);
      if (problem) throw problem;
      for (let i = 0; i < chunk.rows.length; i++) {
        if (held) yield held;
        const rowLine = lines[i] as number;
        if (rowLine - 1 > limits.maxRows) throw tooMany();
        held = { line: rowLine, cells: (chunk.rows[i] as string[]).map(cellText) };
      }
    }
    if (held && !isEndOfFile(held.cells)) yield held;
    return;
  }
  try {
    await assertUnzippedWithin(source, limits.maxUnzippedBytes);
  } catch (error) {
    if (error instanceof UnzippedTooLarge) throw new SpreadsheetTooLarge(error.message);
    throw new SpreadsheetError("not a readable XLSX file");
  }
  try {
    for await (const row of xlsxRows(source)) {
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

/**
 * Papa Parse's chunks of rows over the decoded text, one chunk at a time: parser and text are paused while the caller
 * takes a chunk's rows (a slow consumer, a database, holds the file's text back rather than letting it pile up).
 */
async function* csvChunks(source: UploadSource): AsyncGenerator<{ rows: string[][]; errors: Papa.ParseError[] }> {
  const decoder = new TextDecoder((await uploadIsUtf8(source)) ? "utf-8" : "gb18030");
  const text = Readable.from(
    (async function* () {
      for await (const bytes of uploadChunks(source, CSV_CHUNK)) yield decoder.decode(bytes, { stream: true });
      const rest = decoder.decode();
      if (rest) yield rest;
    })(),
    // One chunk decoded ahead, not the default sixteen (32 MB of text held while the database works).
    { objectMode: true, highWaterMark: 1 },
  );
  const ready: { rows: string[][]; errors: Papa.ParseError[] }[] = [];
  let parser: Papa.Parser | null = null;
  let finished = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  Papa.parse<string[]>(text, {
    ...CSV_OPTIONS,
    chunk(results, handle) {
      // The parser's pause stops its parsing, not the stream feeding it: both are paused, or it queues the whole file.
      handle.pause();
      text.pause();
      parser = handle;
      ready.push({ rows: results.data, errors: results.errors });
      wake?.();
    },
    complete() {
      finished = true;
      wake?.();
    },
    error(error: unknown) {
      failure = error;
      wake?.();
    },
  });
  try {
    for (;;) {
      const next = ready.shift();
      if (next) {
        yield next;
        (parser as Papa.Parser | null)?.resume();
        text.resume();
        continue;
      }
      if (failure) throw new SpreadsheetError("not a readable CSV file");
      if (finished) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  } finally {
    if (!finished) (parser as Papa.Parser | null)?.abort();
    text.destroy();
  }
}

/** The body's format by its content type (the parser above takes only these two). */
export const spreadsheetFormatOf = (contentType: string | undefined): SpreadsheetFormat =>
  contentType?.startsWith("text/csv") ? "csv" : "xlsx";
