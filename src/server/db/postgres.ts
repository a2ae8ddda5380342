/**
 * The city-scale store: PostgreSQL through Kysely's dialect, when DATABASE_URL is set. Several stateless server
 * processes may share one database; every hot query is scoped by site.
 */
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import Cursor from "pg-cursor";
import type { Database } from "./schema";

export interface PostgresStoreOptions {
  url: string;
  /** A schema to work in (created if missing) instead of the default `public`: tests use one each. */
  schema?: string;
  /** Connections per server process. */
  poolSize?: number;
}

// BIGINT (sequence numbers, counts) as JavaScript numbers: they stay far below 2^53.
const int8AsNumber = (value: string) => Number(value);

export async function openPostgresStore(
  options: PostgresStoreOptions,
): Promise<{ db: Kysely<Database>; location: string }> {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(options.schema)) {
    throw new Error(`not a schema name: ${options.schema}`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === pg.types.builtins.INT8
          ? int8AsNumber
          : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  if (options.schema) await pool.query(`create schema if not exists ${options.schema}`);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) });
  const url = new URL(options.url);
  return {
    db,
    location: `postgres://${url.host}${url.pathname}${options.schema ? ` (schema ${options.schema})` : ""}`,
  };
}
