/**
 * npm run bench:roster — rosters at a district's scale, on SQLite and (when DATABASE_URL is set) PostgreSQL, over HTTP
 * against the real server process:
 *   - import of a 500,000-row roster (50 sites × 20 grids) as CSV and as XLSX (written as Excel writes it: shared
 *     strings), each on a server process started for it, timed, with that process's peak RSS; 40% of the residents
 *     were registered before the import (the import finds their last sampled day);
 *   - coverage of the district (500,000 entries), of a site, and of the city, p50 and p95;
 *   - in headless Chromium, a phone of a site holding a 20,000-person roster: the roster lookup on each scan (the
 *     station's user-timing entries) and the offline cold start to a usable station with that roster stored.
 *
 *   npm run bench:roster -- [--rows 500000] [--phone-roster 20000] [--store sqlite|postgres|both] [--requests 40]
 *                           [--small] [--port N] [--json]
 * --small: 20,000 rows, a 2,000-person phone roster, 8 requests (the CI smoke run; explicit options win).
 */
import { execSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";
import ExcelJS from "exceljs";
import { sql } from "kysely";
import { siteDay } from "../src/domain/siteDay";
import { idNumber, nameOf } from "../src/domain/testResidents";
import { openStore, type StoreKind } from "../src/server/db";
import { insertRows } from "../src/server/db/insertRows";
import { type ServerProcess, startServerProcess } from "../src/server/serverProcess";
import { createSite, createStaff } from "../src/server/sites/sites";
import { DEMO_PIN, signInAsDemo } from "./demoSignIn";
import { portOption } from "./freePort";
import { watchMemory } from "./memory";
import { median, p95 } from "./stats";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string" },
    "phone-roster": { type: "string" },
    store: { type: "string", default: "both" },
    requests: { type: "string" },
    port: { type: "string" },
    small: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const small = args.small;
const ROWS = Number(args.rows ?? (small ? 20_000 : 500_000));
const PHONE_ROSTER = Number(args["phone-roster"] ?? (small ? 2_000 : 20_000));
const REQUESTS = Number(args.requests ?? (small ? 8 : 40));
const SITES = 50;
const GRIDS_PER_SITE = 20;
const SAMPLED_SHARE = 0.4;
const DISTRICT = "芝罘区";
const PASSWORD = "bench-password-1";
const TARGETS = { xlsxSeconds: 60, csvSeconds: 20, peakRssMb: 300, coverageP95Ms: 300, lookupP50Ms: 5, startMs: 1200 };
const databaseUrl = process.env.DATABASE_URL || undefined;
const stores: StoreKind[] =
  args.store === "both" ? (databaseUrl ? ["sqlite", "postgres"] : ["sqlite"]) : [args.store as StoreKind];
if (stores.includes("postgres") && !databaseUrl) throw new Error("--store postgres needs DATABASE_URL");
if (args.store === "both" && !databaseUrl) console.error("DATABASE_URL is not set: PostgreSQL is NOT measured.");

const siteCode = (s: number) => `ZF${String(s).padStart(4, "0")}`;
/** Row n of the roster: its site, grid and resident. */
const rowOf = (n: number) => {
  const site = n % SITES;
  return {
    name: nameOf(n),
    doc: idNumber(n),
    phone: `139${String(n).padStart(8, "0")}`,
    community: `第${(site % 5) + 1}社区`,
    grid: `${Math.floor(n / SITES) % GRIDS_PER_SITE}号楼`,
    site: siteCode(site),
  };
};
const HEADER = ["姓名", "证件类型", "证件号码", "手机号", "社区", "网格", "采样点编码"];

// ---------- the files ----------

function writeCsv(file: string, rows: number): void {
  const lines = [`\uFEFF${HEADER.join(",")}`];
  for (let n = 0; n < rows; n++) {
    const r = rowOf(n);
    lines.push(`${r.name},居民身份证,${r.doc},${r.phone},${r.community},${r.grid},${r.site}`);
  }
  writeFileSync(file, `${lines.join("\r\n")}\r\n`);
}

async function writeXlsx(file: string, rows: number): Promise<void> {
  // As Excel writes it: text cells in the shared-strings table.
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
  const sheet = workbook.addWorksheet("名单");
  sheet.addRow(HEADER).commit();
  for (let n = 0; n < rows; n++) {
    const r = rowOf(n);
    sheet.addRow([r.name, "居民身份证", r.doc, r.phone, r.community, r.grid, r.site]).commit();
  }
  sheet.commit();
  await workbook.commit();
}

// ---------- HTTP ----------

async function call<T>(
  base: string,
  method: string,
  pathname: string,
  token: string | null,
  body?: BodyInit,
  type?: string,
) {
  const start = performance.now();
  const response = await fetch(`${base}/api/v1${pathname}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(type ? { "content-type": type } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  const ms = performance.now() - start;
  if (response.status !== 200) throw new Error(`${method} ${pathname}: ${response.status} ${text.slice(0, 300)}`);
  return { value: JSON.parse(text) as T, ms };
}
const signIn = async (base: string, username: string) =>
  (
    await call<{ token: string }>(
      base,
      "POST",
      "/auth/console-login",
      null,
      JSON.stringify({ username, password: PASSWORD }),
      "application/json",
    )
  ).value.token;

// ---------- one store ----------

interface StoreFigures {
  store: StoreKind;
  rows: number;
  imports: {
    format: "csv" | "xlsx";
    seconds: number;
    imported: number;
    refused: number;
    peakRssMb: number;
    fileMb: number;
    rssMethod: string;
  }[];
  coverage: {
    level: string;
    p50: number;
    p95: number;
    n: number;
    sampled: number;
    expected: number;
    /** The list's residents not yet sampled (the list's line only). */
    listed: number | null;
  }[];
}

async function measureStore(
  kind: StoreKind,
  files: { csv: string; xlsx: string },
  port: number,
): Promise<StoreFigures> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `bench-roster-${kind}-`));
  const schema = kind === "postgres" ? `sp_bench_roster_${randomBytes(5).toString("hex")}` : undefined;
  const location = { dataDir, ...(kind === "postgres" ? { databaseUrl, databaseSchema: schema } : {}) };
  const store = await openStore({ dataDir, ...(kind === "postgres" ? { databaseUrl, databaseSchema: schema } : {}) });
  let server: ServerProcess | null = null;
  try {
    // The district's sites, an admin, and the registrations of 40% of the roster's residents (before the import).
    for (let s = 0; s < SITES; s++) {
      await createSite(store.db, {
        code: siteCode(s),
        name: `芝罘${s}号点`,
        poolSize: 10,
        district: DISTRICT,
        street: `街道${s % 5}`,
      });
    }
    await createStaff(store.db, {
      username: "bench-admin",
      name: "区指挥部",
      role: "admin",
      siteCode: null,
      password: PASSWORD,
    });
    const now = new Date().toISOString();
    const sampled: number[] = [];
    // A multiplicative hash spreads the sampled residents over every grid.
    for (let n = 0; n < ROWS; n++) if (((n * 2654435761) % 2 ** 32) / 2 ** 32 < SAMPLED_SHARE) sampled.push(n);
    console.error(`  [${kind}] seeding ${sampled.length.toLocaleString()} registrations of roster residents`);
    for (let i = 0; i < sampled.length; i += 5_000) {
      const batch = sampled.slice(i, i + 5_000);
      await store.db.transaction().execute(async (trx) => {
        await insertRows(
          trx,
          store.dialect,
          "registrations",
          batch.map((n) => ({
            id: randomUUID(),
            site_code: rowOf(n).site,
            tube_code: `T${String(Math.floor(n / 10)).padStart(9, "0")}`,
            name: rowOf(n).name,
            doc_type: "ID",
            doc_number: rowOf(n).doc,
            phone: null,
            community: null,
            registered_at: now,
            device_id: "bench-seed",
            staff_id: "bench-seed",
            event_id: randomUUID(),
            voided_at: null,
            void_reason: null,
            repeat_reason: null,
          })),
        );
      });
    }
    // What autovacuum does within a minute of a bulk load: the planner's statistics (else PostgreSQL may scan the
    // registrations for every batch's lookup).
    await sql`ANALYZE registrations`.execute(store.db);
    await store.db.destroy();

    const imports: StoreFigures["imports"] = [];
    for (const format of ["csv", "xlsx"] as const) {
      server = await startServerProcess(port, `bench-roster-${kind}-${format}`, {
        ...location,
        env: { SAMPLEPOINT_DEMO: "0" },
      });
      const admin = await signIn(server.base, "bench-admin");
      const body = readFileSync(files[format]);
      const memory = watchMemory(server.child.pid as number);
      console.error(`  [${kind}] importing ${ROWS.toLocaleString()} rows as ${format} (fresh server process)`);
      const { value: report, ms } = await call<{ imported: number; refusedCount: number }>(
        server.base,
        "POST",
        "/rosters/import",
        admin,
        body,
        format === "csv" ? "text/csv" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      );
      const rss = memory.stop();
      imports.push({
        format,
        seconds: Number((ms / 1000).toFixed(1)),
        imported: report.imported,
        refused: report.refusedCount,
        peakRssMb: rss.peakMb,
        fileMb: Number((statSync(files[format]).size / 1048576).toFixed(1)),
        rssMethod: rss.method,
      });
      if (format === "csv") await server.stop();
    }

    // Coverage, on the server that just imported (warm: two untimed requests per level first).
    const base = (server as ServerProcess).base;
    const admin = await signIn(base, "bench-admin");
    const today = siteDay(new Date().toISOString());
    const levels = [
      { level: `district (${ROWS.toLocaleString()} entries)`, query: `district=${encodeURIComponent(DISTRICT)}` },
      { level: "site", query: `site=${siteCode(0)}` },
      { level: "city", query: "" },
      {
        level: "district, not-yet-sampled list of a grid",
        query: "",
        list: `site=${siteCode(0)}&grid=${encodeURIComponent("1号楼")}`,
      },
    ];
    const coverage: StoreFigures["coverage"] = [];
    for (const level of levels) {
      const pathOf = () =>
        level.list ? `/rosters/unsampled?${level.list}&day=${today}` : `/rosters/coverage?${level.query}&day=${today}`;
      for (let i = 0; i < 2; i++) await call(base, "GET", pathOf(), admin);
      const times: number[] = [];
      let last: { totals?: { sampled: number; expected: number }; total?: number } = {};
      for (let i = 0; i < REQUESTS; i++) {
        const { value, ms } = await call<typeof last>(base, "GET", pathOf(), admin);
        times.push(ms);
        last = value;
      }
      coverage.push({
        level: level.list ? "not-yet-sampled list of a grid" : level.level,
        p50: Math.round(median(times)),
        p95: Math.round(p95(times)),
        n: times.length,
        sampled: last.totals?.sampled ?? 0,
        expected: last.totals?.expected ?? 0,
        listed: last.total ?? null,
      });
    }
    const district = coverage[0];
    const problems: string[] = [];
    for (const i of imports) {
      if (i.imported !== ROWS)
        problems.push(`the ${i.format} import took ${i.imported} of ${ROWS} rows (${i.refused} refused)`);
    }
    if (district && district.expected !== ROWS)
      problems.push(`coverage counts ${district.expected} of ${ROWS} entries`);
    if (district && district.sampled !== sampled.length) {
      problems.push(`coverage says ${district.sampled} sampled; ${sampled.length} were registered`);
    }
    if (problems.length > 0) throw new Error(problems.join("; "));
    return { store: kind, rows: ROWS, imports, coverage };
  } finally {
    await server?.stop();
    if (schema && databaseUrl) {
      const cleanup = await openStore({ dataDir, databaseUrl, databaseSchema: schema });
      await sql`drop schema ${sql.id(schema)} cascade`.execute(cleanup.db);
      await cleanup.db.destroy();
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------- the phone ----------

interface PhoneFigures {
  rosterEntries: number;
  lookups: number;
  lookupP50Ms: number;
  lookupMaxMs: number;
  scanToRowP50Ms: number;
  coldStartsMs: number[];
  coldStartMedianMs: number;
}

async function measurePhone(port: number): Promise<PhoneFigures> {
  // The demo site (the server's default) gets the roster: the phone signs in as the demo collector.
  const server = await startServerProcess(port, "bench-roster-phone");
  const profile = mkdtempSync(path.join(tmpdir(), "samplepoint-bench-roster-"));
  const launch = (offline: boolean) =>
    chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      headless: true,
      offline,
      viewport: { width: 360, height: 740 },
      args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
  try {
    const store = await openStore({ dataDir: server.dataDir });
    await createStaff(store.db, {
      username: "bench-admin",
      name: "市指挥部",
      role: "admin",
      siteCode: null,
      password: PASSWORD,
    });
    await store.db.destroy();
    const admin = await signIn(server.base, "bench-admin");
    const first = 700_000;
    const lines = [HEADER.slice(0, 6).join(",")];
    for (let n = first; n < first + PHONE_ROSTER; n++) {
      const r = rowOf(n);
      lines.push(`${r.name},居民身份证,${r.doc},${r.phone},${r.community},${r.grid}`);
    }
    const { value: report } = await call<{ imported: number }>(
      server.base,
      "POST",
      "/rosters/import?site=DEMO",
      admin,
      lines.join("\n"),
      "text/csv",
    );
    if (report.imported !== PHONE_ROSTER) throw new Error(`imported ${report.imported} of ${PHONE_ROSTER}`);

    // Installed online: sign in, the service worker precaches, the roster arrives after the first sync.
    const setup = await launch(false);
    const page = setup.pages()[0] ?? (await setup.newPage());
    await signInAsDemo(page, server.base);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active?.state === "activated");
    await page.waitForFunction(
      () =>
        new Promise<boolean>((resolve) => {
          const open = indexedDB.open("samplepoint");
          open.onsuccess = () => {
            const req = open.result.transaction("meta").objectStore("meta").get("roster");
            req.onsuccess = () => resolve(req.result !== undefined);
          };
        }),
      undefined,
      { timeout: 60_000, polling: 500 },
    );
    await setup.close();

    // Offline cold starts with the roster stored: the app opened, PIN, the scan field ready.
    const coldStarts: number[] = [];
    const runs = small ? 2 : 5;
    let lookups: number[] = [];
    const scanToRow: number[] = [];
    for (let run = 0; run < runs; run++) {
      const context = await launch(true);
      const cold = context.pages()[0] ?? (await context.newPage());
      const start = performance.now();
      await cold.goto(server.base);
      await cold.getByTestId("lock-screen").getByLabel("PIN").fill(DEMO_PIN);
      await cold.getByRole("button", { name: /解锁|Unlock/ }).click();
      await cold.getByTestId("scan-input").waitFor();
      coldStarts.push(performance.now() - start);
      if (run === runs - 1) {
        // Scans of bare ID numbers on the roster (registered with the roster's name), one tube of 10 after another.
        // The roster opens after the first paint's work (seconds on a loaded machine): scan once it is held.
        await cold.waitForFunction(
          () => performance.getEntriesByName("samplepoint:roster-held").length > 0,
          undefined,
          {
            timeout: 30_000,
          },
        );
        const input = cold.getByTestId("scan-input");
        const scans = small ? 20 : 100;
        for (let i = 0; i < scans; i++) {
          // A new tube every ten (the full one seals on the next tube's label).
          if (i % 10 === 0) {
            await input.fill(`RB${run}${String(i).padStart(6, "0")}`);
            await input.press("Enter");
            await cold.getByTestId("tube-count").filter({ hasText: /^0 \// }).waitFor();
          }
          const r = rowOf(first + 1 + i * 7);
          const t0 = performance.now();
          await input.fill(r.doc);
          await input.press("Enter");
          await cold.getByTestId("notice").filter({ hasText: r.name }).waitFor();
          scanToRow.push(performance.now() - t0);
        }
        lookups = await cold.evaluate(() =>
          performance.getEntriesByName("samplepoint:roster-lookup").map((e) => e.duration),
        );
      }
      await context.close();
    }
    return {
      rosterEntries: PHONE_ROSTER,
      lookups: lookups.length,
      lookupP50Ms: Number(median(lookups).toFixed(3)),
      lookupMaxMs: Number(Math.max(...lookups).toFixed(3)),
      scanToRowP50Ms: Math.round(median(scanToRow)),
      coldStartsMs: coldStarts.map(Math.round),
      coldStartMedianMs: Math.round(median(coldStarts)),
    };
  } finally {
    await server.stop();
    rmSync(profile, { recursive: true, force: true });
  }
}

// ---------- main ----------

execSync("node scripts/build-if-needed.mjs", { cwd: path.resolve(import.meta.dirname, ".."), stdio: "inherit" });
const port = await portOption(args.port);
const dir = mkdtempSync(path.join(tmpdir(), "bench-roster-files-"));
const files = { csv: path.join(dir, "roster.csv"), xlsx: path.join(dir, "roster.xlsx") };
console.error(`writing ${ROWS.toLocaleString()}-row roster files`);
writeCsv(files.csv, ROWS);
await writeXlsx(files.xlsx, ROWS);
const results: StoreFigures[] = [];
try {
  for (const kind of stores) results.push(await measureStore(kind, files, port));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.error("phone: a site roster in headless Chromium");
const phone = await measurePhone(port);

if (args.json) {
  console.log(JSON.stringify({ stores: results, phone, targets: TARGETS }, null, 2));
} else {
  for (const r of results) {
    console.log(`\n${r.store}: ${r.rows.toLocaleString()} roster rows in one district (${SITES} sites)`);
    for (const i of r.imports) {
      const target = i.format === "csv" ? TARGETS.csvSeconds : TARGETS.xlsxSeconds;
      console.log(
        `  import ${i.format.padEnd(4)} ${String(i.seconds).padStart(6)} s (target ≤ ${target})  ${i.fileMb} MB file, ${i.imported.toLocaleString()} imported, ${i.refused} refused, server peak RSS ${i.peakRssMb} MB (target ≤ ${TARGETS.peakRssMb}; ${i.rssMethod})`,
      );
    }
    for (const c of r.coverage) {
      console.log(
        `  coverage ${c.level.padEnd(36)} p50 ${String(c.p50).padStart(4)} ms  p95 ${String(c.p95).padStart(4)} ms (n ${c.n}; target p95 ≤ ${TARGETS.coverageP95Ms})  ${c.listed === null ? `sampled ${c.sampled.toLocaleString()} of ${c.expected.toLocaleString()}` : `${c.listed} listed`}`,
      );
    }
  }
  console.log(`\nphone: ${phone.rosterEntries.toLocaleString()}-person site roster, headless Chromium`);
  // Chromium's clock has a 0.1 ms resolution here (no cross-origin isolation): 0 means under 0.1 ms.
  console.log(
    `  roster lookup on scan: p50 ${phone.lookupP50Ms === 0 ? "< 0.1" : phone.lookupP50Ms} ms, max ${phone.lookupMaxMs} ms over ${phone.lookups} scans (target p50 ≤ ${TARGETS.lookupP50Ms}); scan to registered (bare ID → roster name) p50 ${phone.scanToRowP50Ms} ms`,
  );
  console.log(
    `  offline cold start to a usable station with the roster stored: median ${phone.coldStartMedianMs} ms (${phone.coldStartsMs.join(", ")}) (target ≤ ${TARGETS.startMs})`,
  );
}
