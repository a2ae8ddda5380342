/** A recall list as a spreadsheet: CSV (UTF-8 with BOM, so Excel reads Chinese) by csv-stringify, XLSX by ExcelJS. */
import { stringify } from "csv-stringify/sync";
import ExcelJS from "exceljs";
import { DOC_TYPE_NAMES } from "../../domain/documentNames";
import type { RecallEntry } from "../../domain/labs";

export const STATE_LABELS: Record<RecallEntry["state"], string> = {
  to_contact: "待联系",
  contacted: "已联系",
  resampled: "已单采",
  resulted: "已出结果",
  withdrawn: "已撤销（结果更正）",
};

/** A cell a spreadsheet would take for a formula (=, +, -, @, or a tab/CR first) is kept as text. */
/** Beijing time as people read it in a spreadsheet: 2021-08-03 09:15:00. */
export const beijingTime = (iso: string | null) =>
  iso ? new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 19).replace("T", " ") : "";

export const safeCell = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

const HEADER = [
  "姓名",
  "证件类型",
  "证件号码",
  "手机",
  "社区",
  "采样点",
  "采样时间",
  "登记人员",
  "混管",
  "混管结果",
  "状态",
  "单采管",
];

const rowOf = (r: RecallEntry) => [
  safeCell(r.name),
  DOC_TYPE_NAMES.zh[r.docType],
  r.docNumber,
  r.phone ?? "",
  safeCell(r.community ?? ""),
  safeCell(r.siteName),
  beijingTime(r.registeredAt),
  safeCell(r.staffName),
  r.tubeCode,
  r.outcome === "positive" ? "阳性" : "无效(重采)",
  STATE_LABELS[r.state],
  r.singleTubeCode ?? "",
];

export async function recallSheet(recalls: RecallEntry[], format: "csv" | "xlsx"): Promise<Buffer> {
  if (format === "csv") return Buffer.from(`\uFEFF${stringify([HEADER, ...recalls.map(rowOf)])}`, "utf8");
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("召回名单");
  sheet.addRow(HEADER).font = { bold: true };
  for (const r of recalls) sheet.addRow(rowOf(r));
  // Document numbers as text (an 18-digit number would lose digits as a number).
  sheet.getColumn(3).numFmt = "@";
  sheet.columns.forEach((column) => {
    column.width = 16;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
