/**
 * npm run bench:lab — the lab loop at city scale, on SQLite and (when DATABASE_URL is set) PostgreSQL. Seeds
 * registrations in bulk (not through the API: 1,000,000 by default, in tubes of 10, boxes of 100 tubes handed over
 * to a lab), starts the real server process, and measures over HTTP:
 *   - receiving a box of 100 tubes (look the box up, then receive it with its 100 scanned tubes), end to end;
 *   - uploading a 10,000-row result CSV;
 *   - a positive result → its recall list available (POST the result, GET the tube's recall list);
 *   - the resident status lookup.
 *
 *   npm run bench:lab -- [--registrations 1000000] [--store sqlite|postgres|both] [--small] [--port N] [--json]
 * --small: 20,000 registrations, fewer repetitions (the CI smoke run).
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { type Kysely, sql } from "kysely";
import { idCheckCharacter } from "../src/domain/documents";
import { openStore, type StoreKind } from "../src/server/db";
import { insertRows } from "../src/server/db/insertRows";
import type { Database } from "../src/server/db/schema";
import { createLab } from "../src/server/labs/labs";
import { startServerProcess } from "../src/server/serverProcess";
import { createSite, createStaff } from "../src/server/sites/sites";
import { freePort, portOption } from "./freePort";
import { median, p95 } from "./stats";

const { values: args } = parseArgs({
  options: {
    registrations: { type: "string" },
    store: { type: "string", default: "both" },
    port: { type: "string" },
    small: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const small = args.small;
const total = Number(args.registrations ?? (small ? 20_000 : 1_000_000));
const PER_TUBE = 10;
const TUBES_PER_BOX = 100;
const SITES = small ? 4 : 100;
const RECEIPTS = small ? 5 : 30;
const CSV_ROWS = small ? 1_000 : 10_000;
const POSITIVES = small ? 10 : 60;
const LOOKUPS = small ? 50 : 300;
const LAB = "LAB01";
const PASSWORD = "bench-password-1";
const databaseUrl = process.env.DATABASE_URL || undefined;
const stores: StoreKind[] =
  args.store === "both" ? (databaseUrl ? ["sqlite", "postgres"] : ["sqlite"]) : [args.store as StoreKind];
if (args.store === "both" && !databaseUrl) console.error("DATABASE_URL is not set: PostgreSQL is NOT measured.");

const tubeCode = (t: number) => `LT${String(t).padStart(10, "0")}`;
const boxCode = (b: number) => `BOX-L${String(b).padStart(7, "0")}`;
const siteOf = (box: number) => `BL-${String(box % SITES).padStart(4, "0")}`;
/** A valid, unique mainland ID number for resident n. */
function idNumber(n: number): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + (n % 20_000) * 86_400_000)
    .toISOString()
    .slice(0, 10)
    .replaceAll("-", "");
  const first17 = `370602${birth}${String(Math.floor(n / 20_000)).padStart(3, "0")}`;
  return first17 + idCheckCharacter(first17);
}
const NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵丽颖", "阿依古丽·买买提"];
const nameOf = (n: number) => NAMES[n % NAMES.length] as string;

async function seed(db: Kysely<Database>, kind: StoreKind): Promise<void> {
  for (let s = 0; s < SITES; s++) {
    await createSite(db, {
      code: `BL-${String(s).padStart(4, "0")}`,
      name: `采样点 ${s}`,
      poolSize: 10,
      phoneRequired: false,
    });
  }
  await createLab(db, { code: LAB, name: "芝罘区疾控PCR实验室" });
  await createStaff(db, {
    username: "bench-lab",
    name: "检验员",
    role: "lab",
    siteCode: null,
    labCode: LAB,
    password: PASSWORD,
  });
  const staffId = "bench-staff";
  const tubes = Math.ceil(total / PER_TUBE);
  const boxes = Math.ceil(tubes / TUBES_PER_BOX);
  const at = new Date(Date.now() - 3 * 3600_000).toISOString();
  const start = Date.now();
  for (let b = 0; b < boxes; b++) {
    const site = siteOf(b);
    await db.transaction().execute(async (trx) => {
      await insertRows(trx, kind, "boxes", [
        {
          site_code: site,
          code: boxCode(b),
          status: "handed_over",
          opened_at: at,
          opened_by_device: `bench-device-${b % 400}`,
          closed_at: at,
          tube_count: TUBES_PER_BOX,
          handed_over_at: at,
          courier_name: "刘师傅",
          courier_phone: "13900001111",
          vehicle_plate: null,
          destination_lab: LAB,
        },
      ]);
      const tubeRows = [];
      const registrationRows = [];
      for (let i = 0; i < TUBES_PER_BOX; i++) {
        const t = b * TUBES_PER_BOX + i;
        if (t >= tubes) break;
        tubeRows.push({
          site_code: site,
          code: tubeCode(t),
          capacity: PER_TUBE,
          status: "sealed",
          opened_at: at,
          opened_by_device: `bench-device-${b % 400}`,
          sealed_at: at,
          sealed_count: PER_TUBE,
          short: 0,
          box_code: boxCode(b),
          transferred_to: null,
          void_reason: null,
        });
        for (let k = 0; k < PER_TUBE; k++) {
          const n = t * PER_TUBE + k;
          if (n >= total) break;
          registrationRows.push({
            id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
            site_code: site,
            tube_code: tubeCode(t),
            name: nameOf(n),
            doc_type: "ID",
            doc_number: idNumber(n),
            phone: `139${String(n).padStart(8, "0")}`,
            community: "幸福里社区",
            registered_at: at,
            device_id: `bench-device-${b % 400}`,
            staff_id: staffId,
            event_id: `00000000-0000-4000-9000-${String(n).padStart(12, "0")}`,
            voided_at: null,
            void_reason: null,
            repeat_reason: null,
          });
        }
      }
      await insertRows(trx, kind, "tubes", tubeRows);
      await insertRows(trx, kind, "registrations", registrationRows);
    });
    if (!args.json && b % 100 === 99) {
      process.stderr.write(
        `  [${kind}] seeded ${((b + 1) * TUBES_PER_BOX * PER_TUBE).toLocaleString()} registrations\r`,
      );
    }
  }
  if (kind === "postgres") await sql`ANALYZE`.execute(db);
  if (!args.json) console.error(`\n  [${kind}] seeding took ${Math.round((Date.now() - start) / 1000)} s`);
}

async function call(base: string, token: string | null, method: string, path: string, body?: unknown, type?: string) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": type ?? "application/json" } : {}),
    },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

interface Figures {
  store: StoreKind;
  registrations: number;
  receiveBox100: { p50: number; p95: number; n: number };
  uploadCsv: { rows: number; ms: number; recorded: number };
  positiveToRecall: { p50: number; p95: number; n: number };
  residentLookup: { p50: number; p95: number; n: number };
}

async function measure(kind: StoreKind, port: number): Promise<Figures> {
  const schema = kind === "postgres" ? `sp_bench_lab_${randomBytes(5).toString("hex")}` : undefined;
  const server0 = await startServerProcess(port, `bench-lab-${kind}`, {
    ...(kind === "postgres" ? { databaseUrl, databaseSchema: schema } : {}),
    env: { STATUS_LOOKUPS_PER_ADDRESS: "1000000", STATUS_LOOKUPS_PER_DOCUMENT: "1000000", SAMPLEPOINT_DEMO: "0" },
  });
  // The server made and migrated the store; it stops while the bulk seed writes (SQLite: one writer at a time).
  await server0.stop();
  const store = await openStore({
    dataDir: server0.dataDir,
    ...(kind === "postgres" ? { databaseUrl, databaseSchema: schema } : {}),
  });
  await seed(store.db, kind);
  await store.durable();
  await store.db.destroy();
  const server = await startServerProcess(port, `bench-lab-${kind}`, {
    dataDir: server0.dataDir,
    ...(kind === "postgres" ? { databaseUrl, databaseSchema: schema } : {}),
    env: { STATUS_LOOKUPS_PER_ADDRESS: "1000000", STATUS_LOOKUPS_PER_DOCUMENT: "1000000", SAMPLEPOINT_DEMO: "0" },
  });
  try {
    const { token } = (await call(server.base, null, "POST", "/auth/console-login", {
      username: "bench-lab",
      password: PASSWORD,
    })) as { token: string };
    const tubes = Math.ceil(total / PER_TUBE);
    const boxes = Math.ceil(tubes / TUBES_PER_BOX);

    // Receiving boxes of 100 tubes: look up, then receive with every tube scanned.
    const receipts: number[] = [];
    for (let i = 0; i < RECEIPTS; i++) {
      const b = Math.floor((i * boxes) / RECEIPTS);
      const started = performance.now();
      const box = (await call(server.base, token, "GET", `/labs/${LAB}/boxes/${boxCode(b)}`)) as {
        tubes: { tubeCode: string }[];
      };
      const report = (await call(server.base, token, "POST", `/labs/${LAB}/boxes/${boxCode(b)}/receive`, {
        scannedTubes: box.tubes.map((t) => t.tubeCode),
      })) as { received: string[] };
      receipts.push(performance.now() - started);
      if (report.received.length !== Math.min(TUBES_PER_BOX, tubes - b * TUBES_PER_BOX))
        throw new Error("short receipt");
    }

    // More boxes received (count confirmed) for the CSV and the positives, not timed.
    const needBoxes = Math.ceil((CSV_ROWS + POSITIVES) / TUBES_PER_BOX) + 1;
    const csvBoxes: number[] = [];
    for (let b = boxes - 1; csvBoxes.length < needBoxes && b >= 0; b--) csvBoxes.push(b);
    for (const b of csvBoxes) await call(server.base, token, "POST", `/labs/${LAB}/boxes/${boxCode(b)}/receive`, {});
    const receivedTubes = csvBoxes.flatMap((b) =>
      Array.from({ length: TUBES_PER_BOX }, (_, i) => b * TUBES_PER_BOX + i).filter((t) => t < tubes),
    );

    // A 10,000-row result CSV (negatives), uploaded once.
    const rows = receivedTubes.slice(0, CSV_ROWS).map((t) => `${tubeCode(t)},阴性,,2026-12-04 10:00`);
    const csv = `\uFEFF试管条码,结果,Ct值,检测时间\n${rows.join("\n")}\n`;
    const uploadStarted = performance.now();
    const upload = (await call(server.base, token, "POST", `/labs/${LAB}/results/upload`, csv, "text/csv")) as {
      rows: { status: string }[];
    };
    const uploadMs = performance.now() - uploadStarted;
    const recorded = upload.rows.filter((r) => r.status === "recorded").length;

    // Positive pooled tubes: the result, then the tube's recall list, end to end.
    const positives: number[] = [];
    for (const t of receivedTubes.slice(CSV_ROWS, CSV_ROWS + POSITIVES)) {
      const started = performance.now();
      await call(server.base, token, "POST", `/labs/${LAB}/results`, {
        results: [
          {
            resultId: `bench-pos-${t}`,
            tubeCode: tubeCode(t),
            outcome: "positive",
            resultedAt: new Date().toISOString(),
          },
        ],
      });
      const list = (await call(server.base, token, "GET", `/labs/${LAB}/recalls?tube=${tubeCode(t)}`)) as {
        recalls: unknown[];
      };
      positives.push(performance.now() - started);
      if (list.recalls.length !== PER_TUBE) throw new Error(`recall list of ${tubeCode(t)}: ${list.recalls.length}`);
    }

    // Resident lookups on the public status page.
    const lookups: number[] = [];
    for (let i = 0; i < LOOKUPS; i++) {
      const n = Math.floor((i * 7919 * 104729) % total);
      const started = performance.now();
      const answer = (await call(server.base, null, "POST", "/public/status", {
        docNumber: idNumber(n),
        name: nameOf(n),
      })) as { samplings: unknown[] };
      lookups.push(performance.now() - started);
      if (answer.samplings.length !== 1) throw new Error(`lookup of resident ${n}: ${answer.samplings.length}`);
    }
    const stat = (values: number[]) => ({
      p50: Math.round(median(values) * 10) / 10,
      p95: Math.round(p95(values) * 10) / 10,
      n: values.length,
    });
    return {
      store: kind,
      registrations: total,
      receiveBox100: stat(receipts),
      uploadCsv: { rows: rows.length, ms: Math.round(uploadMs), recorded },
      positiveToRecall: stat(positives),
      residentLookup: stat(lookups),
    };
  } finally {
    await server.stop();
    if (schema && databaseUrl) {
      const cleanup = await openStore({ dataDir: server.dataDir, databaseUrl, databaseSchema: schema });
      await sql`drop schema ${sql.id(schema)} cascade`.execute(cleanup.db);
      await cleanup.db.destroy();
    }
  }
}

const results: Figures[] = [];
for (const [i, kind] of stores.entries()) {
  const port = args.port ? (await portOption(args.port)) + i * 100 : await freePort();
  results.push(await measure(kind, port));
}
if (args.json) console.log(JSON.stringify(results, null, 2));
else {
  console.log(
    `lab bench — registrations in tubes of ${PER_TUBE}, boxes of ${TUBES_PER_BOX} tubes, real server process over loopback`,
  );
  for (const r of results) {
    console.log(`${r.store}, ${r.registrations.toLocaleString()} registrations stored:`);
    console.log(
      `  receive a box of 100 tubes (look up + receive, every tube scanned): p50 ${r.receiveBox100.p50} ms, p95 ${r.receiveBox100.p95} ms (n ${r.receiveBox100.n})   target ≤ 1000 ms`,
    );
    console.log(
      `  upload a ${r.uploadCsv.rows.toLocaleString()}-row result CSV: ${r.uploadCsv.ms} ms (${r.uploadCsv.recorded} recorded)   target ≤ 5000 ms`,
    );
    console.log(
      `  positive result → recall list: p50 ${r.positiveToRecall.p50} ms, p95 ${r.positiveToRecall.p95} ms (n ${r.positiveToRecall.n})   target p95 ≤ 200 ms`,
    );
    console.log(
      `  resident status lookup: p50 ${r.residentLookup.p50} ms, p95 ${r.residentLookup.p95} ms (n ${r.residentLookup.n})   target p95 ≤ 50 ms`,
    );
  }
}
