/** The embedded store: one SQLite file in DATA_DIR, write-ahead logging, fully durable commits. */
import { mkdirSync } from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, type SqliteDatabase, SqliteDialect } from "kysely";
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
  // Events and registrations are keyed by random UUIDs: their index pages are touched all over. A 64 MiB page cache
  // (the default is 2 MiB) and memory-mapped reads keep them in memory instead of re-reading them from the OS.
  raw.pragma("cache_size = -65536");
  raw.pragma("mmap_size = 268435456");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
  return { db, file, raw };
}

/** Distinct SQL texts kept prepared; pushes use a few dozen (multi-row inserts vary with the row count). */
const STATEMENT_CACHE_SIZE = 1_000;

/**
 * Kysely prepares every query anew; compiling the SQL is a good part of a small push's cost. The same text gets the
 * same prepared statement (statements are reused one call at a time, as Kysely runs queries on its one connection).
 */
function withStatementCache(raw: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => raw.close(),
    prepare: (sql: string) => {
      let statement = cache.get(sql);
      if (!statement) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        statement = raw.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}
