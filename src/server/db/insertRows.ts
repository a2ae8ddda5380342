/**
 * Many rows in one statement, the way each store takes them fastest. SQLite: multi-row VALUES (its prepared-statement
 * cache makes a repeated shape cheap). PostgreSQL: one array per column, `INSERT … SELECT * FROM unnest(…)` — a
 * statement of constant text with a few parameters instead of thousands, so PostgreSQL parses and plans little and
 * the process builds and sends less.
 */
import { type Insertable, sql, type Transaction } from "kysely";
import { chunks } from "../events/chunks";
import type { StoreKind } from "./index";
import type { Database } from "./schema";

/** Columns that are not text, by name (every table names them alike); the rest are text. */
const COLUMN_TYPES: Record<string, "bigint" | "integer"> = {
  seq: "bigint",
  site_seq: "bigint",
  capacity: "integer",
  sealed_count: "integer",
  short: "integer",
  tube_count: "integer",
  current: "integer",
};

/** Rows per statement on PostgreSQL: arrays have no bound-parameter limit, only the statement's size. */
const UNNEST_CHUNK = 1_000;

export interface InsertRowsOptions {
  /** Skip rows that collide with one of these unique columns (ON CONFLICT … DO NOTHING). */
  onConflictDoNothing?: string[];
  /** Columns of the rows actually inserted, to return. */
  returning?: string[];
}

export async function insertRows<T extends keyof Database & string>(
  trx: Transaction<Database>,
  dialect: StoreKind,
  table: T,
  rows: Insertable<Database[T]>[],
  options: InsertRowsOptions = {},
): Promise<Record<string, unknown>[]> {
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0] as object);
  const conflict = options.onConflictDoNothing
    ? sql` ON CONFLICT (${sql.join(options.onConflictDoNothing.map((c) => sql.ref(c)))}) DO NOTHING`
    : sql``;
  const returning = options.returning ? sql` RETURNING ${sql.join(options.returning.map((c) => sql.ref(c)))}` : sql``;
  const columnList = sql.join(columns.map((c) => sql.ref(c)));
  const returned: Record<string, unknown>[] = [];
  for (const chunk of chunks(rows as Record<string, unknown>[], dialect === "postgres" ? UNNEST_CHUNK : undefined)) {
    const source =
      dialect === "postgres"
        ? sql`SELECT * FROM unnest(${sql.join(
            columns.map(
              (c) => sql`CAST(${chunk.map((row) => row[c] ?? null)} AS ${sql.raw(COLUMN_TYPES[c] ?? "text")}[])`,
            ),
          )})`
        : sql`VALUES ${sql.join(chunk.map((row) => sql`(${sql.join(columns.map((c) => row[c] ?? null))})`))}`;
    const result = await sql<
      Record<string, unknown>
    >`INSERT INTO ${sql.table(table)} (${columnList}) ${source}${conflict}${returning}`.execute(trx);
    returned.push(...result.rows);
  }
  return returned;
}
