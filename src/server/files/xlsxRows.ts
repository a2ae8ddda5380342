/**
 * The first sheet of an XLSX file, row by row, for files too big for ExcelJS: its streaming reader holds every row
 * object and cell style of a 500,000-row roster (over 1 GB) and splits Chinese characters between chunks. Here yauzl
 * reads the zip's entries from the upload (in memory or spooled to a file; any order), saxes parses the XML as it inflates, decoded across chunk
 * boundaries; only the shared strings are kept (as plain strings), rows are handed on as they end.
 *
 * What a roster needs of XLSX: shared strings (Excel's text cells, rich text joined, phonetic runs left out), inline
 * strings, formula results as stored, numbers as written (an 18-digit number typed as a number arrives as Excel wrote
 * it, e.g. 1.10101199003074E+17, and is refused as a document number — the template formats those columns as text).
 */
import { StringDecoder } from "node:string_decoder";
import { SaxesParser, type SaxesTagPlain } from "saxes";
import type { Entry, ZipFile } from "yauzl";
import { openUploadZip, type UploadSource } from "./spooledUpload";

async function entriesOf(zip: ZipFile): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  await new Promise<void>((resolve, reject) => {
    zip.on("entry", (entry: Entry) => {
      entries.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.on("end", resolve);
    zip.on("error", reject);
    zip.readEntry();
  });
  return entries;
}

const openEntry = (zip: ZipFile, entry: Entry) =>
  new Promise<NodeJS.ReadableStream>((resolve, reject) =>
    zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))),
  );

/** An entry's XML through saxes; after each inflated chunk, `drain` hands on what its handlers gathered. */
async function* parseEntry<T>(
  zip: ZipFile,
  entry: Entry,
  setUp: (parser: SaxesParser) => void,
  drain: () => T[],
): AsyncGenerator<T> {
  const parser = new SaxesParser();
  let failure: Error | null = null;
  parser.on("error", (error) => {
    failure = error;
  });
  setUp(parser);
  const decoder = new StringDecoder("utf8");
  for await (const chunk of await openEntry(zip, entry)) {
    parser.write(decoder.write(chunk as Buffer));
    if (failure) throw failure;
    yield* drain();
  }
  parser.write(decoder.end()).close();
  if (failure) throw failure;
  yield* drain();
}

/** The worksheet the workbook lists first (its path in the zip). */
async function firstSheetPath(zip: ZipFile, entries: Map<string, Entry>): Promise<string | null> {
  const text = async (name: string) => {
    const entry = entries.get(name);
    if (!entry) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of await openEntry(zip, entry)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  };
  const workbook = await text("xl/workbook.xml");
  const rels = await text("xl/_rels/workbook.xml.rels");
  const id = workbook && /<(?:\w+:)?sheet\b[^>]*\br:id="([^"]+)"/.exec(workbook)?.[1];
  const target =
    id && rels ? new RegExp(`<Relationship\\b[^>]*\\bId="${id}"[^>]*\\bTarget="([^"]+)"`).exec(rels)?.[1] : null;
  const candidates = [
    target ? (target.startsWith("/") ? target.slice(1) : `xl/${target}`) : null,
    "xl/worksheets/sheet1.xml",
    [...entries.keys()].find((name) => /^xl\/worksheets\/[^/]+\.xml$/.test(name)) ?? null,
  ];
  return candidates.find((name): name is string => name !== null && entries.has(name)) ?? null;
}

/** A tag's name without its namespace prefix (some writers prefix SpreadsheetML: <x:row>). */
const local = (tag: SaxesTagPlain) => tag.name.slice(tag.name.indexOf(":") + 1);

/** Column index of a cell reference ("C7" → 2). */
function columnOf(reference: string): number {
  let column = 0;
  for (const ch of reference) {
    const code = ch.charCodeAt(0);
    if (code < 65 || code > 90) break;
    column = column * 26 + (code - 64);
  }
  return column - 1;
}

export class XlsxUnreadable extends Error {}

/**
 * The shared strings as UTF-8 bytes in one growing buffer with their offsets: a roster's 1,500,000 names, numbers and
 * phones take about 25 MB so, against some 100 MB as separate JavaScript strings.
 */
class PackedStrings {
  private bytes = Buffer.alloc(1 << 20);
  private used = 0;
  private ends = new Uint32Array(1 << 16);
  private count = 0;

  push(text: string): void {
    const need = Buffer.byteLength(text);
    if (this.used + need > this.bytes.length) {
      const bigger = Buffer.alloc(Math.max(this.bytes.length * 2, this.used + need));
      this.bytes.copy(bigger, 0, 0, this.used);
      this.bytes = bigger;
    }
    this.used += this.bytes.write(text, this.used);
    if (this.count === this.ends.length) {
      const bigger = new Uint32Array(this.ends.length * 2);
      bigger.set(this.ends);
      this.ends = bigger;
    }
    this.ends[this.count++] = this.used;
  }

  /** The i-th string ("" for none). */
  at(i: number): string {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) return "";
    const start = i === 0 ? 0 : (this.ends[i - 1] as number);
    return this.bytes.toString("utf8", start, this.ends[i]);
  }
}

/** Rows of the first sheet (1-based row numbers as in Excel), cells as text. */
export async function* xlsxRows(source: UploadSource): AsyncGenerator<{ line: number; cells: string[] }> {
  let zip: ZipFile;
  let entries: Map<string, Entry>;
  try {
    zip = await openUploadZip(source);
    entries = await entriesOf(zip);
  } catch {
    throw new XlsxUnreadable("not a readable XLSX file");
  }
  try {
    const sheetPath = await firstSheetPath(zip, entries);
    const sheet = sheetPath ? entries.get(sheetPath) : undefined;
    if (!sheet) throw new XlsxUnreadable("the XLSX file has no sheet");

    // Shared strings: each <si>'s text runs joined (<rPh> phonetic guides left out).
    const shared = new PackedStrings();
    const sharedEntry = entries.get("xl/sharedStrings.xml");
    if (sharedEntry) {
      let inText = false;
      let phonetic = 0;
      let current = "";
      const none: never[] = [];
      for await (const _ of parseEntry<never>(
        zip,
        sharedEntry,
        (parser) => {
          parser.on("opentag", (tag: SaxesTagPlain) => {
            if (local(tag) === "si") current = "";
            else if (local(tag) === "rPh") phonetic++;
            else if (local(tag) === "t" && phonetic === 0) inText = true;
          });
          parser.on("text", (text) => {
            if (inText) current += text;
          });
          parser.on("closetag", (tag: SaxesTagPlain) => {
            if (local(tag) === "t") inText = false;
            else if (local(tag) === "rPh") phonetic--;
            else if (local(tag) === "si") shared.push(current);
          });
        },
        () => none,
      )) {
        // the handlers fill `shared`
      }
    }

    // The sheet: <row r><c r t><v>…</v> or <is><t>…</t></is></c></row>.
    let row: { line: number; cells: string[] } | null = null;
    let rowCount = 0;
    let cell: { column: number; type: string; text: string } | null = null;
    let nextColumn = 0;
    let capture = false;
    let ready: { line: number; cells: string[] }[] = [];
    yield* parseEntry(
      zip,
      sheet,
      (parser) => {
        parser.on("opentag", (tag: SaxesTagPlain) => {
          const name = local(tag);
          if (name === "row") {
            rowCount++;
            const r = Number(tag.attributes.r);
            row = { line: Number.isInteger(r) && r > 0 ? r : rowCount, cells: [] };
            nextColumn = 0;
          } else if (name === "c" && row) {
            const reference = tag.attributes.r;
            const column = typeof reference === "string" && reference !== "" ? columnOf(reference) : nextColumn;
            cell = { column, type: String(tag.attributes.t ?? "n"), text: "" };
            nextColumn = column + 1;
          } else if ((name === "v" || name === "t") && cell) {
            capture = true;
          }
        });
        parser.on("text", (text) => {
          if (capture && cell) cell.text += text;
        });
        parser.on("closetag", (tag: SaxesTagPlain) => {
          const name = local(tag);
          if (name === "v" || name === "t") capture = false;
          else if (name === "c" && cell && row) {
            const value = cell.type === "s" ? shared.at(Number(cell.text)) : cell.text;
            row.cells[cell.column] = cell.type === "b" ? (value === "1" ? "TRUE" : "FALSE") : value.trim();
            cell = null;
          } else if (name === "row" && row) {
            const cells = Array.from(row.cells, (c) => c ?? "");
            ready.push({ line: row.line, cells });
            row = null;
          }
        });
      },
      () => {
        const out = ready;
        ready = [];
        return out;
      },
    );
  } catch (error) {
    if (error instanceof XlsxUnreadable) throw error;
    throw new XlsxUnreadable("not a readable XLSX file");
  } finally {
    zip.close();
  }
}
