/**
 * A batch of an import's roster entries into roster_entries, each with the Beijing day its document was last
 * registered (not voided) looked up by the same statement: one round trip per batch, and no document numbers sent
 * twice. An entry whose document is already on the site's roster is skipped; those inserted come back (id → the last
 * sampled day found, or null).
 */
import { CompiledQuery, type Transaction } from "kysely";
import type { StoreKind } from "../db";
import type { Database } from "../db/schema";

const COLUMNS = ["id", "site_code", "community", "grid", "name", "doc_type", "doc_number", "phone"] as const;

/** What the import fills; the exemption columns stay null, last_sampled_day is the statement's. */
export type NewRosterEntry = Pick<Database["roster_entries"], (typeof COLUMNS)[number]>;

/** Rows per statement: SQLite binds at most 32,766 values (8 a row); PostgreSQL takes arrays, any length. */
const ROWS_PER_STATEMENT = 1_000;

/** The day a registration time falls on in Beijing, as each store writes it (the same as the migrations' triggers). */
const BEIJING_DAY = {
  sqlite: (time: string) => `date(${time}, '+8 hours')`,
  postgres: (time: string) => `to_char((${time})::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')`,
};

const lastSampledDay = (dialect: StoreKind, entry: string) =>
  `(SELECT max(${BEIJING_DAY[dialect]("r.registered_at")}) FROM registrations r
    WHERE r.doc_number = ${entry}.doc_number AND r.doc_type = ${entry}.doc_type AND r.voided_at IS NULL)`;

const INSERT_HEAD = `INSERT INTO roster_entries (${COLUMNS.join(", ")}, imported_at, last_sampled_day) `;
const CONFLICT_TAIL = " ON CONFLICT (site_code, doc_type, doc_number) DO NOTHING RETURNING id, last_sampled_day";

/** The statement for `rows` entries: same text for the same count (SQLite's prepared-statement cache). */
const statementText = {
  // VALUES' columns are column1…column8; `WHERE true` tells SQLite's parser the ON CONFLICT is the INSERT's.
  sqlite: (rows: number) => {
    const tuple = `(${COLUMNS.map(() => "?").join(", ")})`;
    const named = COLUMNS.map((c, i) => `column${i + 1} AS ${c}`).join(", ");
    return `${INSERT_HEAD}SELECT ${COLUMNS.map((c) => `v.${c}`).join(", ")}, ?, ${lastSampledDay("sqlite", "v")}
      FROM (SELECT ${named} FROM (VALUES ${Array(rows).fill(tuple).join(", ")})) AS v WHERE true${CONFLICT_TAIL}`;
  },
  // One text per column, its values joined by the unit separator and split by PostgreSQL: a short statement of
  // constant text, and no array literal to escape value by value here (phone: an empty value is null). Each text
  // starts with a separator, the empty first element dropped: one empty value would otherwise split to no element.
  postgres: () => {
    const columns = COLUMNS.map(
      (c, i) => `(string_to_array(CAST($${i + 1} AS text), E'\\x1f'${c === "phone" ? ", ''" : ""}))[2:]`,
    );
    return `${INSERT_HEAD}SELECT ${COLUMNS.map((c) => `u.${c}`).join(", ")}, CAST($${COLUMNS.length + 1} AS text), ${lastSampledDay("postgres", "u")}
      FROM unnest(${columns.join(", ")}) AS u(${COLUMNS.join(", ")})${CONFLICT_TAIL}`;
  },
};

/**
 * Joins a column's values for PostgreSQL. The unit separator cannot be in any of them: names, places, numbers and
 * phones are refused with control characters before they get here. A null phone is sent empty.
 */
const UNIT_SEPARATOR = "\x1f";
const joined = (values: (string | null)[]) => UNIT_SEPARATOR + values.map((v) => v ?? "").join(UNIT_SEPARATOR);

const texts = new Map<string, string>();
const textOf = (dialect: StoreKind, rows: number) => {
  const key = `${dialect}:${dialect === "postgres" ? 0 : rows}`;
  let text = texts.get(key);
  if (text === undefined) {
    text = statementText[dialect](rows);
    texts.set(key, text);
  }
  return text;
};

/** Inserts the entries (imported at `importedAt`); returns those inserted: id → last sampled day (or null). */
export async function insertRosterEntries(
  trx: Transaction<Database>,
  dialect: StoreKind,
  entries: NewRosterEntry[],
  importedAt: string,
): Promise<Map<string, string | null>> {
  const inserted = new Map<string, string | null>();
  for (let start = 0; start < entries.length; start += ROWS_PER_STATEMENT) {
    const chunk = entries.slice(start, start + ROWS_PER_STATEMENT);
    const parameters: unknown[] = [];
    if (dialect === "postgres") {
      for (const column of COLUMNS) parameters.push(joined(chunk.map((entry) => entry[column])));
      parameters.push(importedAt);
    } else {
      // SQLite numbers its `?` in the text's order: imported_at's comes before the VALUES'.
      parameters.push(importedAt);
      for (const entry of chunk) for (const column of COLUMNS) parameters.push(entry[column]);
    }
    const result = await trx.executeQuery<{ id: string; last_sampled_day: string | null }>(
      CompiledQuery.raw(textOf(dialect, chunk.length), parameters),
    );
    for (const row of result.rows) inserted.set(row.id, row.last_sampled_day);
  }
  return inserted;
}
