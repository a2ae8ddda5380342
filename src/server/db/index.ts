/** Opens the configured store and brings its schema up to date. */
import type { Kysely } from "kysely";
import { migrateToLatest } from "./migrate";
import type { Database } from "./schema";
import { openSqliteStore } from "./sqlite";

export interface Store {
  db: Kysely<Database>;
  dialect: "sqlite" | "postgres";
  /** Where the data lives, for the start-up message. */
  location: string;
}

export async function openStore(options: { dataDir: string }): Promise<Store> {
  const sqlite = openSqliteStore(options.dataDir);
  await migrateToLatest(sqlite.db);
  return { db: sqlite.db, dialect: "sqlite", location: sqlite.file };
}
