/** The embedded store: one SQLite file in DATA_DIR, write-ahead logging, fully durable commits. */
import { mkdirSync } from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { Database } from "./schema";

export const SQLITE_FILE_NAME = "samplepoint.sqlite";

export interface SqliteStore {
  db: Kysely<Database>;
  file: string;
  raw: SQLite.Database;
}

export function openSqliteStore(dataDir: string): SqliteStore {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, SQLITE_FILE_NAME);
  const raw = new SQLite(file);
  raw.pragma("journal_mode = WAL");
  // FULL: a commit the server acknowledged survives a power cut, not only a process crash.
  raw.pragma("synchronous = FULL");
  raw.pragma("foreign_keys = ON");
  raw.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  return { db, file, raw };
}
