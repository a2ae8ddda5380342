/**
 * Many rows in one statement, the way each store takes them fastest. SQLite: multi-row VALUES (its prepared-statement
 * cache makes a repeated shape cheap). PostgreSQL: one array per column, `INSERT … SELECT * FROM unnest(…)` — a
 * statement of constant text with a few parameters instead of thousands, so PostgreSQL parses and plans little and
 * the process builds and sends less.
 */
import { CompiledQuery, type Insertable, type Transaction } from "kysely";
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
  entries: "bigint",
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
  // The statement's text is made here, not through Kysely's builder: compiling thousands of values into a query
  // tree per statement cost more than running it. Same text for every chunk of a size (SQLite's statement cache).
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const head = `INSERT INTO ${quote(table)} (${columns.map(quote).join(", ")}) `;
  const tail =
    (options.onConflictDoNothing
      ? ` ON CONFLICT (${options.onConflictDoNothing.map(quote).join(", ")}) DO NOTHING`
      : "") + (options.returning ? ` RETURNING ${options.returning.map(quote).join(", ")}` : "");
  const returned: Record<string, unknown>[] = [];
  for (const chunk of chunks(rows as Record<string, unknown>[], dialect === "postgres" ? UNNEST_CHUNK : undefined)) {
    let text: string;
    const parameters: unknown[] = [];
    if (dialect === "postgres") {
      const arrays = columns.map((c, i) => {
        parameters.push(chunk.map((row) => row[c] ?? null));
        return `CAST($${i + 1} AS ${COLUMN_TYPES[c] ?? "text"}[])`;
      });
      text = `${head}SELECT * FROM unnest(${arrays.join(", ")})${tail}`;
    } else {
      const tuple = `(${columns.map(() => "?").join(", ")})`;
      for (const row of chunk) for (const c of columns) parameters.push(row[c] ?? null);
      text = `${head}VALUES ${Array(chunk.length).fill(tuple).join(", ")}${tail}`;
    }
    const result = await trx.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, parameters));
    returned.push(...result.rows);
  }
  return returned;
}
