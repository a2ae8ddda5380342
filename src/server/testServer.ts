/**
 * In-process server for integration tests, on either store: a temporary SQLite file, or a fresh schema of the
 * PostgreSQL database at DATABASE_URL. `TEST_STORES` lists the stores a suite runs against.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import type { ResidentFormat } from "../domain/residentFormats";
import { type App, buildApp } from "./app";
import type { LoginLimits } from "./auth/loginLimits";
import { openStore, type Store, type StoreKind } from "./db";
import type { StatusLimits } from "./labs/residentStatus";
import { seedDemoIfEmpty } from "./sites/demo";

export const TEST_DATABASE_URL = process.env.DATABASE_URL || undefined;

if (!TEST_DATABASE_URL) {
  console.warn(
    "\n*** DATABASE_URL is not set: the PostgreSQL integration suites are SKIPPED. " +
      "Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run them. ***\n",
  );
}

/** SQLite always; PostgreSQL when DATABASE_URL is set. */
export const TEST_STORES: StoreKind[] = TEST_DATABASE_URL ? ["sqlite", "postgres"] : ["sqlite"];

export interface TestServer {
  app: App;
  store: Store;
  kind: StoreKind;
  dataDir: string;
  /** The PostgreSQL schema of this server's data (postgres only). */
  schema: string | undefined;
  /** Closes the app and the store but keeps the data (to test restarts). */
  stop(): Promise<void>;
  /** Stops and removes the data. */
  dispose(): Promise<void>;
}

export interface TestServerOptions {
  kind?: StoreKind;
  /** Reuse the data of an earlier (stopped) server. */
  dataDir?: string;
  schema?: string;
  tokenTtlMs?: number;
  loginLimits?: LoginLimits;
  statusLimits?: StatusLimits;
  residentFormats?: ResidentFormat[];
  /** Seed the demo site (default); off where a test counts every site. */
  demo?: boolean;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const kind = options.kind ?? "sqlite";
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), "samplepoint-test-"));
  let schema: string | undefined;
  if (kind === "postgres") {
    if (!TEST_DATABASE_URL) throw new Error("a PostgreSQL test server needs DATABASE_URL");
    schema = options.schema ?? `sp_test_${randomBytes(6).toString("hex")}`;
  }
  const store = await openStore({
    dataDir,
    ...(kind === "postgres" ? { databaseUrl: TEST_DATABASE_URL, databaseSchema: schema } : {}),
  });
  if (options.demo !== false) await seedDemoIfEmpty(store.db);
  const app = await buildApp({
    store,
    ...(options.tokenTtlMs ? { tokenTtlMs: options.tokenTtlMs } : {}),
    ...(options.loginLimits ? { loginLimits: options.loginLimits } : {}),
    ...(options.statusLimits ? { statusLimits: options.statusLimits } : {}),
    ...(options.residentFormats ? { residentFormats: options.residentFormats } : {}),
  });
  await app.ready();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
    await store.db.destroy();
  };
  return {
    app,
    store,
    kind,
    dataDir,
    schema,
    stop,
    async dispose() {
      if (schema && !stopped) await sql`drop schema ${sql.id(schema)} cascade`.execute(store.db);
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
