/**
 * Exports of registrations, tubes, boxes, results and recall lists as CSV (UTF-8 with BOM, csv-stringify) or XLSX
 * (ExcelJS's streaming writer), filtered by round or day, district, street and site. Rows stream from a database
 * cursor through the writer to the response, so millions of rows take bounded memory: PostgreSQL reads through a
 * cursor (pg-cursor), SQLite through a read-only connection of its own (so the writer connection is never held).
 * Document numbers and phones are masked unless an admin asked for them in full with a reason.
 */
import { EventEmitter, once } from "node:events";
import { PassThrough, type Readable } from "node:stream";
import SQLite from "better-sqlite3";
import { stringify } from "csv-stringify";
import ExcelJS from "exceljs";
import { Kysely, type SelectQueryBuilder, SqliteDialect } from "kysely";
import type { ExportDataset } from "../../domain/command";
import { DOC_TYPE_NAMES } from "../../domain/documentNames";
import { type DocType, maskDocumentNumber } from "../../domain/documents";
import type { RecallEntry } from "../../domain/labs";
import type { Store } from "../db";
import type { Database } from "../db/schema";
import { beijingTime, STATE_LABELS, safeCell } from "../labs/recallExport";

export interface ExportFilter {
  district: string | null;
  street: string | null;
  site: string | null;
  /** UTC bounds of the Beijing days asked for: [from, to). */
  from: string | null;
  to: string | null;
}

const local = beijingTime;
const maskPhone = (phone: string | null) =>
  phone && phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : (phone ?? "");
const OUTCOME_LABELS: Record<string, string> = {
  negative: "阴性",
  positive: "阳性",
  invalid: "无效(重采)",
  rejected: "样本拒收",
};
const TUBE_STATUS: Record<string, string> = { open: "采集中", sealed: "已封管", void: "作废" };
const BOX_STATUS: Record<string, string> = { open: "装箱中", closed: "已封箱", handed_over: "已交接" };

type Row = Record<string, unknown>;
interface Dataset {
  header: string[];
  // biome-ignore lint/suspicious/noExplicitAny: each dataset's query joins its own tables
  query(db: Kysely<Database>, filter: ExportFilter): SelectQueryBuilder<any, any, Row>;
  cells(row: Row, full: boolean): (string | number)[];
}

const s = (v: unknown) => (v === null || v === undefined ? "" : String(v));
const doc = (row: Row, full: boolean) => (full ? s(row.doc_number) : maskDocumentNumber(s(row.doc_number)));
const phone = (v: unknown, full: boolean) =>
  full ? s(v) : maskPhone(v === null || v === undefined ? null : String(v));

// biome-ignore lint/suspicious/noExplicitAny: see Dataset
function scoped<Q extends SelectQueryBuilder<any, any, any>>(query: Q, filter: ExportFilter, time: string): Q {
  let q = query;
  if (filter.site !== null) q = q.where("s.code", "=", filter.site) as Q;
  if (filter.district !== null) q = q.where("s.district", "=", filter.district) as Q;
  if (filter.street !== null) q = q.where("s.street", "=", filter.street) as Q;
  if (filter.from !== null) q = q.where(time, ">=", filter.from) as Q;
  if (filter.to !== null) q = q.where(time, "<", filter.to) as Q;
  return q;
}

const PLACE = ["采样点编码", "采样点", "区县", "街道"];
const place = (row: Row) => [
  s(row.site_code),
  safeCell(s(row.site_name)),
  safeCell(s(row.district)),
  safeCell(s(row.street)),
];

export const DATASETS: Record<ExportDataset, Dataset> = {
  registrations: {
    header: [
      ...PLACE,
      "试管条码",
      "姓名",
      "证件类型",
      "证件号码",
      "手机",
      "社区",
      "登记时间",
      "登记人员",
      "作废时间",
      "作废原因",
      "重复原因",
    ],
    query: (db, filter) =>
      scoped(
        db
          .selectFrom("registrations as r")
          .innerJoin("sites as s", "s.code", "r.site_code")
          .leftJoin("staff as st", "st.id", "r.staff_id")
          .select([
            "r.site_code",
            "s.name as site_name",
            "s.district",
            "s.street",
            "r.tube_code",
            "r.name",
            "r.doc_type",
            "r.doc_number",
            "r.phone",
            "r.community",
            "r.registered_at",
            "st.name as staff_name",
            "r.voided_at",
            "r.void_reason",
            "r.repeat_reason",
          ]),
        filter,
        "r.registered_at",
      ).orderBy("r.registered_at"),
    cells: (row, full) => [
      ...place(row),
      s(row.tube_code),
      safeCell(s(row.name)),
      DOC_TYPE_NAMES.zh[row.doc_type as DocType] ?? s(row.doc_type),
      doc(row, full),
      phone(row.phone, full),
      safeCell(s(row.community)),
      local(row.registered_at as string),
      safeCell(s(row.staff_name)),
      local(row.voided_at as string | null),
      safeCell(s(row.void_reason)),
      safeCell(s(row.repeat_reason)),
    ],
  },
  tubes: {
    header: [...PLACE, "试管条码", "容量", "状态", "开管时间", "封管时间", "封管人数", "未满", "转运箱", "结果"],
    query: (db, filter) =>
      scoped(
        db
          .selectFrom("tubes as t")
          .innerJoin("sites as s", "s.code", "t.site_code")
          .leftJoin("results as res", (j) =>
            j
              .onRef("res.site_code", "=", "t.site_code")
              .onRef("res.tube_code", "=", "t.code")
              .on("res.current", "=", 1),
          )
          .select([
            "t.site_code",
            "s.name as site_name",
            "s.district",
            "s.street",
            "t.code",
            "t.capacity",
            "t.status",
            "t.opened_at",
            "t.sealed_at",
            "t.sealed_count",
            "t.short",
            "t.box_code",
            "res.outcome",
          ]),
        filter,
        "t.opened_at",
      ).orderBy("t.opened_at"),
    cells: (row) => [
      ...place(row),
      s(row.code),
      Number(row.capacity),
      TUBE_STATUS[s(row.status)] ?? s(row.status),
      local(row.opened_at as string),
      local(row.sealed_at as string | null),
      row.sealed_count === null ? "" : Number(row.sealed_count),
      Number(row.short) === 1 ? "是" : "",
      s(row.box_code),
      OUTCOME_LABELS[s(row.outcome)] ?? "",
    ],
  },
  boxes: {
    header: [
      ...PLACE,
      "转运箱",
      "状态",
      "开箱时间",
      "封箱时间",
      "管数",
      "交接时间",
      "转运人员",
      "转运人员手机",
      "车牌",
      "送往实验室",
      "接收实验室",
      "接收时间",
    ],
    query: (db, filter) =>
      scoped(
        db
          .selectFrom("boxes as b")
          .innerJoin("sites as s", "s.code", "b.site_code")
          .leftJoin("box_receipts as br", (j) =>
            j.onRef("br.site_code", "=", "b.site_code").onRef("br.box_code", "=", "b.code"),
          )
          .select([
            "b.site_code",
            "s.name as site_name",
            "s.district",
            "s.street",
            "b.code",
            "b.status",
            "b.opened_at",
            "b.closed_at",
            "b.tube_count",
            "b.handed_over_at",
            "b.courier_name",
            "b.courier_phone",
            "b.vehicle_plate",
            "b.destination_lab",
            "br.lab_code",
            "br.received_at",
          ]),
        filter,
        "b.opened_at",
      ).orderBy("b.opened_at"),
    cells: (row, full) => [
      ...place(row),
      s(row.code),
      BOX_STATUS[s(row.status)] ?? s(row.status),
      local(row.opened_at as string),
      local(row.closed_at as string | null),
      row.tube_count === null ? "" : Number(row.tube_count),
      local(row.handed_over_at as string | null),
      safeCell(s(row.courier_name)),
      phone(row.courier_phone, full),
      safeCell(s(row.vehicle_plate)),
      s(row.destination_lab),
      s(row.lab_code),
      local(row.received_at as string | null),
    ],
  },
  results: {
    header: [...PLACE, "试管条码", "实验室", "结果", "Ct值", "检测时间", "录入时间", "来源", "更改原因", "当前结果"],
    query: (db, filter) =>
      scoped(
        db
          .selectFrom("results as res")
          .innerJoin("sites as s", "s.code", "res.site_code")
          .select([
            "res.site_code",
            "s.name as site_name",
            "s.district",
            "s.street",
            "res.tube_code",
            "res.lab_code",
            "res.outcome",
            "res.ct",
            "res.resulted_at",
            "res.recorded_at",
            "res.source",
            "res.reason",
            "res.current",
          ]),
        filter,
        "res.recorded_at",
      ).orderBy("res.recorded_at"),
    cells: (row) => [
      ...place(row),
      s(row.tube_code),
      s(row.lab_code),
      OUTCOME_LABELS[s(row.outcome)] ?? s(row.outcome),
      row.ct
        ? Object.entries(JSON.parse(String(row.ct)) as Record<string, number>)
            .map(([k, v]) => `${k}:${v}`)
            .join(";")
        : "",
      local(row.resulted_at as string),
      local(row.recorded_at as string),
      s(row.source),
      safeCell(s(row.reason)),
      Number(row.current) === 1 ? "是" : "",
    ],
  },
  recalls: {
    header: [
      ...PLACE,
      "混管",
      "姓名",
      "证件类型",
      "证件号码",
      "手机",
      "社区",
      "采样时间",
      "状态",
      "单采管",
      "列入时间",
    ],
    query: (db, filter) =>
      scoped(
        db
          .selectFrom("recalls as rc")
          .innerJoin("sites as s", "s.code", "rc.site_code")
          .innerJoin("registrations as r", "r.id", "rc.registration_id")
          .select([
            "rc.site_code",
            "s.name as site_name",
            "s.district",
            "s.street",
            "rc.tube_code",
            "r.name",
            "r.doc_type",
            "r.doc_number",
            "r.phone",
            "r.community",
            "r.registered_at",
            "rc.state",
            "rc.single_tube_code",
            "rc.created_at",
          ]),
        filter,
        "rc.created_at",
      ).orderBy("rc.created_at"),
    cells: (row, full) => [
      ...place(row),
      s(row.tube_code),
      safeCell(s(row.name)),
      DOC_TYPE_NAMES.zh[row.doc_type as DocType] ?? s(row.doc_type),
      doc(row, full),
      phone(row.phone, full),
      safeCell(s(row.community)),
      local(row.registered_at as string),
      STATE_LABELS[row.state as RecallEntry["state"]] ?? s(row.state),
      s(row.single_tube_code),
      local(row.created_at as string),
    ],
  },
};

/** A writable stream of Node's or of the readable-stream package (archiver's), which predates writableNeedDrain. */
interface Drainable extends EventEmitter {
  writableNeedDrain?: boolean;
  _writableState?: { length: number; highWaterMark: number };
}
const isFull = (w: Drainable) =>
  w.writableNeedDrain ?? (w._writableState ? w._writableState.length >= w._writableState.highWaterMark : false);

/**
 * Where ExcelJS's streaming worksheet sends its XML: the zip entry's compressor (ExcelJS keeps its pipes in a
 * `pipes` list; not a documented API, so when it is not there the export still works, only without this wait).
 */
function sheetDestination(sheet: unknown): Drainable | undefined {
  const pipes = (sheet as { stream?: { pipes?: unknown[] } }).stream?.pipes;
  const first = Array.isArray(pipes) ? pipes[0] : undefined;
  return first instanceof EventEmitter ? (first as Drainable) : undefined;
}

/** Rows per round trip through the PostgreSQL cursor. */
const CURSOR_ROWS = 2_000;

/** A connection to read the export with: SQLite's own read-only one (WAL lets it read beside the writer). */
function readerOf(store: Store): { db: Kysely<Database>; close(): Promise<void> } {
  if (store.dialect === "postgres") return { db: store.db, close: async () => {} };
  const raw = new SQLite(store.location, { readonly: true, fileMustExist: true });
  raw.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  return { db, close: () => db.destroy() };
}

/**
 * Streams the export into a new stream (returned at once; rows follow as the client reads: the writer waits when
 * the response cannot take more). `done` resolves with the number of rows once the file is complete.
 */
export function streamExport(
  store: Store,
  dataset: ExportDataset,
  format: "csv" | "xlsx",
  filter: ExportFilter,
  full: boolean,
): { stream: Readable; done: Promise<number> } {
  const out = new PassThrough();
  const spec = DATASETS[dataset];
  const reader = readerOf(store);
  const rows = () => spec.query(reader.db, filter).stream(CURSOR_ROWS);
  // A download given up half-way closes the stream: stop reading, let the cursor go.
  const gone = new AbortController();
  out.on("close", () => gone.abort());
  const pump = async (): Promise<number> => {
    let count = 0;
    try {
      if (format === "csv") {
        const csv = stringify({ bom: true });
        csv.pipe(out);
        csv.write(spec.header);
        for await (const row of rows()) {
          if (gone.signal.aborted) break;
          if (!csv.write(spec.cells(row, full))) await once(csv, "drain", { signal: gone.signal });
          count++;
        }
        csv.end();
      } else {
        const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
          stream: out,
          useStyles: false,
          useSharedStrings: false,
        });
        const sheet = workbook.addWorksheet(dataset);
        sheet.addRow(spec.header).commit();
        for await (const row of rows()) {
          if (gone.signal.aborted) break;
          sheet.addRow(spec.cells(row, full)).commit();
          count++;
          // ExcelJS hands each row's XML on to the zip's compressor without heeding its answer, so rows could pile
          // up faster than they are deflated: wait while the compressor (the sheet stream's destination) is full,
          // and while the response is.
          const compressor = sheetDestination(sheet);
          if (compressor && isFull(compressor)) await once(compressor, "drain", { signal: gone.signal });
          if (out.writableNeedDrain) await once(out, "drain", { signal: gone.signal });
        }
        sheet.commit();
        await workbook.commit();
      }
      return count;
    } catch (error) {
      out.destroy(error as Error);
      throw error;
    } finally {
      await reader.close();
    }
  };
  return { stream: out, done: pump() };
}
