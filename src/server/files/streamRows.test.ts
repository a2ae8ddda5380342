// A big roster file read as a stream: every Chinese name whole (ExcelJS's streaming reader split characters across
// chunks: about one in 1,500 names came out with "��"), line numbers kept, CSV in UTF-8 and GB18030, the row cap.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { idNumber, nameOf } from "../../domain/testResidents";
import { SpreadsheetTooLarge, streamRows } from "./spreadsheet";

const limits = { maxRows: 100_000, maxUnzippedBytes: 500 * 1024 * 1024 };
const rows = async (data: Buffer, format: "csv" | "xlsx", options = limits) => {
  const out: { line: number; cells: string[] }[] = [];
  for await (const row of streamRows(data, format, options)) out.push(row);
  return out;
};

describe("streamRows", () => {
  it("reads 20,000 Chinese names from an XLSX written as Excel writes it (shared strings), every one whole", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "stream-rows-")), "roster.xlsx");
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
    const sheet = writer.addWorksheet("名单");
    sheet.addRow(["姓名", "证件号码"]).commit();
    for (let n = 0; n < 20_000; n++) sheet.addRow([`${nameOf(n)}·${nameOf(n + 7)}`, idNumber(n)]).commit();
    sheet.commit();
    await writer.commit();
    const read = await rows(readFileSync(file), "xlsx");
    expect(read).toHaveLength(20_001);
    const wrong = read
      .slice(1)
      .filter((r, n) => r.cells[0] !== `${nameOf(n)}·${nameOf(n + 7)}` || r.cells[1] !== idNumber(n));
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(read[20_000]?.line).toBe(20_001);
  }, 60_000);

  it("reads CSV in UTF-8 with BOM and in GB18030 alike, with line numbers", async () => {
    const text = "姓名,网格\r\n张三,1号楼\r\n\r\n欧阳·娜娜,2号楼\r\n";
    const utf8 = await rows(Buffer.from(`\uFEFF${text}`, "utf8"), "csv");
    expect(utf8.map((r) => [r.line, r.cells])).toEqual([
      [1, ["姓名", "网格"]],
      [2, ["张三", "1号楼"]],
      [3, [""]],
      [4, ["欧阳·娜娜", "2号楼"]],
    ]);
    // GB18030 bytes of the same text (as Excel saves CSV on Chinese Windows).
    const gb = Buffer.from(new Uint8Array([...text].flatMap((ch) => [...gbBytes(ch)])));
    expect((await rows(gb, "csv")).map((r) => r.cells)).toEqual(utf8.map((r) => r.cells));
  });

  it("reads a CSV of several megabytes (rows across the parser's chunks) with quoted cells and line breaks in them", async () => {
    // Every 1,000th row has a quoted address over two lines: the rows after it are one line further down.
    const lines = ["姓名,证件号码,住址"];
    const expected: { line: number; cells: string[] }[] = [{ line: 1, cells: ["姓名", "证件号码", "住址"] }];
    let line = 2;
    for (let n = 0; n < 40_000; n++) {
      const twoLines = n % 1_000 === 999;
      const address = twoLines ? `${nameOf(n)}路 ${n} 号\n"东"门` : `${nameOf(n)}路, ${n} 号`;
      lines.push(`${nameOf(n)},${idNumber(n)},"${address.replaceAll('"', '""')}"`);
      expected.push({ line, cells: [nameOf(n), idNumber(n), address] });
      line += twoLines ? 2 : 1;
    }
    const data = Buffer.from(lines.join("\r\n"), "utf8");
    expect(data.length).toBeGreaterThan(2.5 * 1024 * 1024);
    const read = await rows(data, "csv");
    expect(read).toHaveLength(expected.length);
    const wrong = read.filter((r, i) => JSON.stringify(r) !== JSON.stringify(expected[i]));
    expect(wrong.slice(0, 3)).toEqual([]);
  });

  it("refuses a CSV with an unclosed quote, naming the line it starts on", async () => {
    const csv = Buffer.from('姓名,网格\n张三,1号楼\n李四,"2号楼\n王五,3号楼\n', "utf8");
    await expect(rows(csv, "csv")).rejects.toThrow("not a readable CSV file (near line 3)");
  });

  it("refuses a file over the row cap whole", async () => {
    const csv = Buffer.from(["a", ...Array.from({ length: 11 }, (_, i) => String(i))].join("\n"));
    await expect(rows(csv, "csv", { ...limits, maxRows: 10 })).rejects.toBeInstanceOf(SpreadsheetTooLarge);
  });
});

/** A character's GB18030 bytes (the few this test uses). */
function gbBytes(ch: string): number[] {
  const table: Record<string, number[]> = {
    姓: [0xd0, 0xd5],
    名: [0xc3, 0xfb],
    网: [0xcd, 0xf8],
    格: [0xb8, 0xf1],
    张: [0xd5, 0xc5],
    三: [0xc8, 0xfd],
    号: [0xba, 0xc5],
    楼: [0xc2, 0xa5],
    欧: [0xc5, 0xb7],
    阳: [0xd1, 0xf4],
    "·": [0xa1, 0xa4],
    娜: [0xc4, 0xc8],
  };
  return table[ch] ?? [ch.charCodeAt(0)];
}
