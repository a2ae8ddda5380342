/**
 * The embedded store: one SQLite file in DATA_DIR, write-ahead logging. Commits are made durable off the main thread:
 * SQLite writes the log without waiting for the disk (synchronous = NORMAL) and `durable()` syncs the log file in
 * libuv's thread pool, one sync for everything committed before it started. The server awaits it before answering any
 * request that wrote, so every answer it gives is on disk, as with synchronous = FULL, while the next group commit
 * already runs (a sync took a quarter of the main thread at 10,000 events/s).
 */
import { mkdirSync } from "node:fs";
import { open } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import SQLite from "better-sqlite3";
import { Kysely, type SqliteDatabase, SqliteDialect } from "kysely";
import type { Database } from "./schema";

export const SQLITE_FILE_NAME = "samplepoint.sqlite";

export interface SqliteStore {
  db: Kysely<Database>;
  file: string;
  raw: SQLite.Database;
  /** Resolves when everything committed so far is on disk. */
  durable(): Promise<void>;
  /**
   * Closes the connection and stops the checkpoint thread. `db.destroy()` does this too, but only once Kysely has
   * used the connection: code that works on `raw` alone (the backup) closes with this.
   */
  close(): void;
}

export function openSqliteStore(dataDir: string): SqliteStore {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, SQLITE_FILE_NAME);
  const raw = new SQLite(file);
  raw.pragma("journal_mode = WAL");
  // NORMAL: the log is synced by durable() (below) rather than inside COMMIT; checkpoints still sync as they go.
  raw.pragma("synchronous = NORMAL");
  raw.pragma("foreign_keys = ON");
  raw.pragma("busy_timeout = 5000");
  // Events and registrations are keyed by random UUIDs: their index pages are touched all over. A 256 MiB page cache
  // (the default is 2 MiB) and memory-mapped reads keep them in memory instead of re-reading them from the OS.
  raw.pragma("cache_size = -262144");
  raw.pragma("mmap_size = 268435456");
  // Checkpoints (copying the log back into the database file, and syncing both) run on a thread of their own
  // instead of inside a COMMIT on the main thread.
  raw.pragma("wal_autocheckpoint = 0");
  // After a checkpoint has copied the whole log back, the next write starts it over and cuts the file to this size: a
  // burst that outran the checkpoints (a slow disk) does not leave a large log file behind.
  raw.pragma("journal_size_limit = 8388608");
  const checkpointer = startCheckpointer(file, raw);
  const close = () => {
    if (!raw.open) return;
    checkpointer.stop();
    raw.close();
  };
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(raw, () => close()) }),
  });
  return { db, file, raw, durable: logSyncer(`${file}-wal`), close };
}

/** fdatasync of the write-ahead log (nothing to do before the first write creates it). */
function logSyncer(walFile: string): () => Promise<void> {
  return coalesced(async () => {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(walFile, "r+");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  });
}

/**
 * Coalesces an operation: a caller gets a run that started after its call; callers that arrive while one runs share
 * the next. For the log sync: the log is append-only until a checkpoint (which syncs it first), so a sync covers every
 * commit written before it began.
 */
export function coalesced(operation: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const start = (): Promise<void> => {
    running = operation().finally(() => {
      running = null;
    });
    return running;
  };
  return () => {
    if (!running) return start();
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = null;
        return start();
      });
    return next;
  };
}

/** Distinct SQL texts kept prepared; pushes use a few dozen (multi-row inserts vary with the row count). */
const STATEMENT_CACHE_SIZE = 1_000;

/**
 * Kysely prepares every query anew; compiling the SQL is a good part of a small push's cost. The same text gets the
 * same prepared statement (statements are reused one call at a time, as Kysely runs queries on its one connection).
 */
function withStatementCache(raw: SQLite.Database, close: () => void): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close,
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

/** How often the checkpoint thread copies the log back (a passive checkpoint never blocks the writer). */
const CHECKPOINT_INTERVAL_MS = 250;

interface Checkpointer {
  /** Stops the thread and waits (synchronously: closing a database is) until its connection is closed. */
  stop(): void;
}

/**
 * A worker thread with its own connection that checkpoints the log every CHECKPOINT_INTERVAL_MS. A passive checkpoint
 * copies what no reader still needs and never waits for (or blocks) the main connection; once it has copied
 * everything, the next write starts the log from the beginning again, so the log stays small. It sleeps on a shared
 * flag, so closing the store can stop it at once and know its connection is closed before closing the main one (the
 * last connection to close removes the log file: that must be the main one, after its last write).
 */
function startCheckpointer(file: string, raw: SQLite.Database): Checkpointer {
  // 0 running, 1 asked to stop, 2 stopped.
  const state = new Int32Array(new SharedArrayBuffer(4));
  let failed = false;
  const worker = new Worker(
    `const { workerData } = require("node:worker_threads");
     const Database = require(workerData.module);
     const state = new Int32Array(workerData.state);
     try {
       const db = new Database(workerData.file);
       try {
         db.pragma("busy_timeout = 1000");
         db.pragma("synchronous = NORMAL");
         while (Atomics.load(state, 0) === 0) {
           try { db.pragma("wal_checkpoint(PASSIVE)"); } catch { /* busy: the next round tries again */ }
           Atomics.wait(state, 0, 0, workerData.intervalMs);
         }
       } finally {
         db.close();
       }
     } finally {
       // Stopped, or failed: either way the main thread need not wait any longer.
       Atomics.store(state, 0, 2);
       Atomics.notify(state, 0);
     }`,
    {
      eval: true,
      workerData: {
        module: createRequire(import.meta.url).resolve("better-sqlite3"),
        file,
        state: state.buffer,
        intervalMs: CHECKPOINT_INTERVAL_MS,
      },
    },
  );
  // It must not keep a finished process (a test, the CLI) alive.
  worker.unref();
  worker.on("error", (error) => {
    failed = true;
    // Without the thread, the main connection checkpoints again as SQLite does by default.
    if (!raw.open) return;
    console.error(`SQLite checkpoint thread failed (${error.message}); checkpointing on the main thread`);
    raw.pragma("wal_autocheckpoint = 1000");
  });
  return {
    stop() {
      Atomics.store(state, 0, 1);
      Atomics.notify(state, 0);
      if (!failed) Atomics.wait(state, 0, 1, 5_000);
    },
  };
}
