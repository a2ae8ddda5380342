/** Opens the configured store (PostgreSQL when a database URL is given, else the embedded SQLite file) and migrates it. */
import type { Kysely } from "kysely";
import { migrateToLatest } from "./migrate";
import { openPostgresStore } from "./postgres";
import type { Database } from "./schema";
import { openSqliteStore } from "./sqlite";

export type StoreKind = "sqlite" | "postgres";

export interface Store {
  db: Kysely<Database>;
  dialect: StoreKind;
  /** Where the data lives, for the start-up message. */
  location: string;
  /** Resolves when everything committed so far is on disk (PostgreSQL: at once; its COMMIT waits for the disk). */
  durable(): Promise<void>;
}

export interface StoreOptions {
  dataDir: string;
  /** postgres://… — use PostgreSQL instead of the SQLite file in dataDir. */
  databaseUrl?: string;
  /** PostgreSQL schema to work in (tests use one each); default `public`. */
  databaseSchema?: string;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    const postgres = await openPostgresStore({
      url: options.databaseUrl,
      ...(options.databaseSchema ? { schema: options.databaseSchema } : {}),
    });
    await migrateToLatest(postgres.db, options.databaseSchema ?? "public");
    return { db: postgres.db, dialect: "postgres", location: postgres.location, durable: async () => {} };
  }
  const sqlite = openSqliteStore(options.dataDir);
  await migrateToLatest(sqlite.db);
  await sqlite.durable();
  return { db: sqlite.db, dialect: "sqlite", location: sqlite.file, durable: sqlite.durable };
}
