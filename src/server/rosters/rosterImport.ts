/**
 * A roster file (CSV or XLSX) into the sites' rosters. Each (site, grid) the file names is replaced by the file's
 * rows: its earlier entries go, exemptions of residents still on it stay. Rows are read as a stream and written in
 * batches (a district's 500,000 rows never sit in memory at once), in one transaction with the audit record.
 * Refused rows (bad number, duplicate, another site…) are reported with their line numbers and why.
 */
import { randomFillSync, randomUUID } from "node:crypto";
import { stringify } from "csv-stringify/sync";
import ExcelJS from "exceljs";
import { type Insertable, sql, type Transaction } from "kysely";
import { PlaceNameSchema } from "../../domain/command";
import { normalizeDocNumber, normalizePhone } from "../../domain/normalizeInput";
import { validateResident } from "../../domain/residentCode";
import { docTypeFromCell, MAX_ROSTER_ROWS, type RosterImportReport, type RosterRefusal } from "../../domain/roster";
import { audit } from "../audit/audit";
import type { Authenticated } from "../auth/tokens";
import type { Store } from "../db";
import { insertRows } from "../db/insertRows";
import type { Database } from "../db/schema";
import { ApiError } from "../errors";
import { collectGarbage } from "../files/collectGarbage";
import type { UploadSource } from "../files/spooledUpload";
import { columnsByHeader, SpreadsheetError, type SpreadsheetFormat, streamRows } from "../files/spreadsheet";
import { insertRosterEntries, type NewRosterEntry } from "./insertEntries";

export const ROSTER_COLUMNS = [
  { key: "name", headers: ["姓名", "name"] },
  { key: "docType", headers: ["证件类型", "document type", "doc_type"] },
  { key: "docNumber", headers: ["证件号码", "document number", "doc_number", "身份证号"] },
  { key: "phone", headers: ["手机号", "手机", "phone"] },
  { key: "community", headers: ["社区", "community"] },
  { key: "grid", headers: ["网格", "网格/楼栋", "楼栋", "grid"] },
  { key: "site", headers: ["采样点编码", "site"] },
] as const;
type Key = (typeof ROSTER_COLUMNS)[number]["key"];

/** Refused rows listed in the report (the count covers them all). */
const MAX_LISTED_REFUSALS = 1_000;
const BATCH = 1_000;
/** A full collection every 20,000 rows keeps a big import's dead rows from growing the server's memory. */
const GC_EVERY_BATCHES = 20;

/** Sites this account may import for: a city admin any, a district admin its district's, a site lead its own. */
async function siteAllowed(trx: Transaction<Database>, auth: Authenticated, site: string): Promise<boolean | null> {
  const row = await trx.selectFrom("sites").select(["district"]).where("code", "=", site).executeTakeFirst();
  if (!row) return null;
  if (auth.role === "admin") return auth.district === null || auth.district === row.district;
  return auth.role === "site_lead" && auth.siteCode === site;
}

export function assertMayImportRosters(auth: Authenticated): void {
  if (auth.role !== "admin" && auth.role !== "site_lead") {
    throw new ApiError(403, "forbidden_role", "Only an administrator or a site lead may import rosters.");
  }
}

interface PendingRow {
  line: number;
  site: string;
  grid: string;
  row: NewRosterEntry;
}

export async function importRoster(
  store: Store,
  source: UploadSource,
  format: SpreadsheetFormat,
  auth: Authenticated,
  options: { site?: string } = {},
): Promise<RosterImportReport> {
  assertMayImportRosters(auth);
  const rows = streamRows(source, format, { maxRows: MAX_ROSTER_ROWS, maxUnzippedBytes: 400 * 1024 * 1024 });
  const first = await rows.next();
  if (first.done) throw new SpreadsheetError("the file is empty");
  const columns = columnsByHeader(first.value.cells, ROSTER_COLUMNS);
  const found = new Set(columns.values());
  for (const required of ["name", "docNumber", "grid"] as const) {
    if (!found.has(required)) {
      const names = ROSTER_COLUMNS.find((c) => c.key === required)
        ?.headers.slice(0, 2)
        .join(" / ");
      throw new SpreadsheetError(`the header row lacks the column ${names}`);
    }
  }
  if (!found.has("site") && !options.site) {
    throw new ApiError(400, "site_required", "Choose the site, or give each row its site code (采样点编码).");
  }

  const importedAt = new Date().toISOString();
  const version = randomUUID();
  const report: RosterImportReport = { imported: 0, replaced: [], refusedCount: 0, refused: [], exemptionsKept: 0 };
  const refuse = (line: number, reason: RosterRefusal, problem: string) => {
    report.refusedCount++;
    if (report.refused.length < MAX_LISTED_REFUSALS) report.refused.push({ line, reason, problem });
  };

  const restoreMemory = store.dialect === "sqlite" ? await boundSqliteMemory(store) : null;
  try {
    await importRows();
  } finally {
    await restoreMemory?.();
  }
  // Duplicates are found when their batch is written: listed in line order all the same.
  report.refused.sort((a, b) => a.line - b.line);
  return report;

  async function importRows() {
    await store.db.transaction().execute(async (trx) => {
      const siteCheck = new Map<string, boolean | null>();
      /** `site\u0000grid` → kept exemptions of that grid, by document (filled when the grid is cleared). */
      const grids = new Map<string, Map<string, Exemption>>();
      const sites = new Set<string>();
      /** The replaced grids' coverage counts, from the entries inserted: `site\0community\0grid\0day` → entries. */
      const counts = new Map<string, number>();
      let pending: PendingRow[] = [];
      /** Grids first named by the pending rows: cleared when their batch is written, before its rows go in. */
      let pendingGrids: Grid[] = [];
      let batches = 0;
      /**
       * The batch being written while the next is read and checked (PostgreSQL works on one while this process reads
       * the other). At most one at a time; anything else that queries waits for it first.
       */
      let writing: Promise<void> = Promise.resolve();
      const written = async () => {
        await writing;
      };
      const flush = async () => {
        await written();
        if (pending.length === 0) return;
        const batch = pending;
        const newGrids = pendingGrids;
        pending = [];
        pendingGrids = [];
        writing = writeBatch(batch, newGrids);
        // Observed here, thrown where it is awaited next (an unobserved rejection would stop the process).
        writing.catch(() => {});
        if (++batches % GC_EVERY_BATCHES === 0) collectGarbage();
      };
      const writeBatch = async (batch: PendingRow[], newGrids: Grid[]) => {
        if (newGrids.length > 0) await clearGrids(trx, newGrids, grids, report);
        const inserted = await insertRosterEntries(
          trx,
          store.dialect,
          batch.map((p) => p.row),
          importedAt,
        );
        report.imported += inserted.size;
        for (const p of batch) {
          const day = inserted.get(p.row.id);
          if (day === undefined) continue;
          const group = `${p.row.site_code}\u0000${p.row.community}\u0000${p.row.grid}\u0000`;
          counts.set(group, (counts.get(group) ?? 0) + 1);
          if (day !== null) counts.set(group + day, (counts.get(group + day) ?? 0) + 1);
        }
        if (inserted.size === batch.length) return;
        for (const p of batch) {
          if (inserted.has(p.row.id)) continue;
          const other = await trx
            .selectFrom("roster_entries")
            .select(["grid", "imported_at"])
            .where("site_code", "=", p.row.site_code)
            .where("doc_type", "=", p.row.doc_type)
            .where("doc_number", "=", p.row.doc_number)
            .executeTakeFirst();
          if (other && other.imported_at !== importedAt) {
            refuse(p.line, "on_other_grid", `this resident is on grid ${other.grid} of site ${p.site}`);
          } else {
            refuse(p.line, "duplicate_in_file", "this document is on an earlier line of the file for the same site");
          }
        }
      };

      for await (const { line, cells } of rows) {
        if (cells.every((c) => c === "")) continue;
        const cell: Partial<Record<Key, string>> = {};
        for (const [index, key] of columns) cell[key] = (cells[index] ?? "").trim();
        const site = (cell.site || options.site || "").toUpperCase();
        if (!siteCheck.has(site)) {
          await written();
          siteCheck.set(site, await siteAllowed(trx, auth, site));
        }
        const allowed = siteCheck.get(site);
        if (allowed === null) {
          refuse(line, "bad_site", `there is no site ${site || "(empty)"}`);
          continue;
        }
        if (!allowed) {
          refuse(line, "other_site", `this account may not import for site ${site}`);
          continue;
        }
        const grid = PlaceNameSchema.safeParse(cell.grid ?? "");
        if (!grid.success) {
          refuse(line, cell.grid ? "bad_place" : "no_grid", "grid: 1–50 characters, no control characters");
          continue;
        }
        const community = cell.community ? PlaceNameSchema.safeParse(cell.community) : null;
        if (community && !community.success) {
          refuse(line, "bad_place", "community: 1–50 characters, no control characters");
          continue;
        }
        const docType = docTypeFromCell(cell.docType ?? "");
        if (!docType) {
          refuse(line, "bad_doc_type", "document type: ID, HKMO, TW, HMTR, FPR, PP or OT (or its name)");
          continue;
        }
        const phone = cell.phone ? normalizePhone(cell.phone) : "";
        const checked = validateResident({
          name: cell.name ?? "",
          docType,
          docNumber: normalizeDocNumber(cell.docNumber ?? ""),
          ...(phone ? { phone } : {}),
        });
        if (!checked.ok) {
          const code = checked.error.code;
          if (code === "bad_document") {
            refuse(line, "bad_document", `document number: ${checked.error.reason}`);
          } else if (code === "bad_phone") {
            refuse(line, "bad_phone", "phone: an 11-digit mainland mobile number");
          } else if (code === "bad_field" && checked.error.field !== "name") {
            refuse(line, checked.error.field === "phone" ? "bad_phone" : "bad_document", "no control characters or |");
          } else {
            refuse(line, "bad_name", "name: letters (any script), 1–64 characters");
          }
          continue;
        }
        const key = `${site}\u0000${grid.data}`;
        if (!grids.has(key)) {
          grids.set(key, new Map());
          pendingGrids.push({ site, grid: grid.data });
          sites.add(site);
        }
        const resident = checked.value;
        pending.push({
          line,
          site,
          grid: grid.data,
          row: {
            id: timeOrderedUuid(),
            site_code: site,
            community: community?.success ? community.data : "",
            grid: grid.data,
            name: resident.name,
            doc_type: resident.docType,
            doc_number: resident.docNumber,
            phone: resident.phone ?? null,
          },
        });
        if (pending.length >= BATCH) await flush();
      }
      await flush();
      await written();

      await replaceCounts(trx, store.dialect, [...grids.keys()], counts);
      for (const site of sites) {
        await trx.updateTable("sites").set({ roster_version: version }).where("code", "=", site).execute();
      }
      for (const [key, kept] of grids) {
        const [site = "", grid = ""] = key.split("\u0000");
        for (const [doc, exemption] of kept) {
          const [docType = "", docNumber = ""] = doc.split("\u0000");
          const result = await trx
            .updateTable("roster_entries")
            .set(exemption)
            .where("site_code", "=", site)
            .where("grid", "=", grid)
            .where("doc_type", "=", docType)
            .where("doc_number", "=", docNumber)
            .executeTakeFirst();
          report.exemptionsKept += Number(result.numUpdatedRows);
        }
      }
      await audit(trx, {
        action: "roster_imported",
        actor: auth.staffId,
        siteCode: sites.size === 1 ? [...sites][0] : null,
        detail: {
          sites: [...sites],
          imported: report.imported,
          refused: report.refusedCount,
          replaced: report.replaced,
        },
      });
    });
  }
}

/**
 * SQLite keeps up to 256 MB of pages in memory and maps the file (for pushes); an import writing 500,000 entries
 * would fill both. Meanwhile the page cache is cut to 32 MB and the mapping off (dirty pages spill to the WAL); after
 * it, both are restored and the cache's memory given back.
 */
async function boundSqliteMemory(store: Store): Promise<() => Promise<void>> {
  const pragma = async (text: string) =>
    (await sql.raw(`PRAGMA ${text}`).execute(store.db)).rows[0] as Record<string, number> | undefined;
  const cache = (await pragma("cache_size"))?.cache_size ?? -2000;
  const mmap = (await pragma("mmap_size"))?.mmap_size ?? 0;
  await pragma("cache_size = -32768");
  await pragma("mmap_size = 0");
  return async () => {
    await pragma(`cache_size = ${Number(cache)}`);
    await pragma(`mmap_size = ${Number(mmap)}`);
    await pragma("shrink_memory");
  };
}

type Exemption = Pick<
  Database["roster_entries"],
  "exempt_reason" | "exempt_note" | "exempt_from" | "exempt_until" | "exempt_by"
>;

interface Grid {
  site: string;
  grid: string;
}

/** Grids as a row-value list for `(site_code, grid) IN (…)`, which both stores answer from the grid index. */
const inGrids = (list: Grid[]) =>
  sql<boolean>`(site_code, grid) IN (VALUES ${sql.join(list.map((g) => sql`(${g.site}, ${g.grid})`))})`;

/** Grid pairs per statement (two bound values each). */
const GRIDS_PER_STATEMENT = 500;

/**
 * Takes these grids' earlier entries off (counted in the report, in the file's order) and keeps their exemptions in
 * `grids`, to re-apply to the residents still on them.
 */
async function clearGrids(
  trx: Transaction<Database>,
  list: Grid[],
  grids: Map<string, Map<string, Exemption>>,
  report: RosterImportReport,
): Promise<void> {
  const before = new Map<string, number>();
  for (let start = 0; start < list.length; start += GRIDS_PER_STATEMENT) {
    const part = inGrids(list.slice(start, start + GRIDS_PER_STATEMENT));
    const exempted = await trx
      .selectFrom("roster_entries")
      .select(["site_code", "grid", "doc_type", "doc_number", "exempt_reason", "exempt_note", "exempt_from"])
      .select(["exempt_until", "exempt_by"])
      .where(part)
      .where("exempt_reason", "is not", null)
      .execute();
    for (const { site_code, grid, doc_type, doc_number, ...exemption } of exempted) {
      grids.get(`${site_code}\u0000${grid}`)?.set(`${doc_type}\u0000${doc_number}`, exemption);
    }
    const sizes = await trx
      .selectFrom("roster_entries")
      .select(["site_code", "grid", (eb) => eb.fn.countAll<number | string>().as("entries")])
      .where(part)
      .groupBy(["site_code", "grid"])
      .execute();
    for (const size of sizes) before.set(`${size.site_code}\u0000${size.grid}`, Number(size.entries));
    await trx.deleteFrom("roster_entries").where(part).execute();
  }
  for (const { site, grid } of list) {
    report.replaced.push({ site, grid, before: before.get(`${site}\u0000${grid}`) ?? 0 });
  }
}

/**
 * The replaced grids' coverage counts: their earlier rows go, the counts of the entries just inserted come in (size
 * under day "", then by last sampled day). Other grids' counts are untouched.
 */
async function replaceCounts(
  trx: Transaction<Database>,
  dialect: Store["dialect"],
  gridKeys: string[],
  counts: Map<string, number>,
): Promise<void> {
  const list = gridKeys.map((key) => {
    const [site = "", grid = ""] = key.split("\u0000");
    return { site, grid };
  });
  for (let start = 0; start < list.length; start += GRIDS_PER_STATEMENT) {
    await trx
      .deleteFrom("roster_counts")
      .where(inGrids(list.slice(start, start + GRIDS_PER_STATEMENT)))
      .execute();
  }
  const rows = [...counts].map(([key, entries]) => {
    const [site_code = "", community = "", grid = "", day = ""] = key.split("\u0000");
    return { site_code, community, grid, day, entries };
  });
  await insertRows(trx, dialect, "roster_counts", rows);
}

/**
 * A UUID whose first 48 bits are the time (version 7): entries of one import go in at the end of the primary key's
 * index instead of at random places in it (a 500,000-row import writes far fewer pages).
 */
function timeOrderedUuid(): string {
  if (randomOffset + 10 > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const bytes = uuidBytes;
  randomPool.copy(bytes, 6, randomOffset, randomOffset + 10);
  randomOffset += 10;
  bytes.writeUIntBE(Date.now(), 0, 6);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
/** Random bytes drawn 64 KB at a time (one system call per 6,500 ids instead of one each). */
const randomPool = Buffer.alloc(65_536);
/** The id being made (reused: one allocation, not one per row). */
const uuidBytes = Buffer.alloc(16);
let randomOffset = randomPool.length;

/** The template: the header row and two example rows, CSV (with BOM) or XLSX. */
export async function rosterTemplate(format: SpreadsheetFormat): Promise<Buffer> {
  const header = ROSTER_COLUMNS.map((c) => c.headers[0]);
  const examples = [
    ["张三", "居民身份证", "110101199003074477", "13800138000", "毓璜顶社区", "3号楼", "ZF0001"],
    ["李四", "护照", "E12345678", "", "毓璜顶社区", "3号楼", "ZF0001"],
  ];
  if (format === "csv") return Buffer.from(`\uFEFF${stringify([header, ...examples])}`, "utf8");
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("roster");
  sheet.addRow(header);
  for (const example of examples) sheet.addRow(example);
  // Document numbers and phones as text: Excel would turn an 18-digit number into 1.10101E+17.
  sheet.getColumn(3).numFmt = "@";
  sheet.getColumn(4).numFmt = "@";
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
