/** Rows per multi-row insert: well inside SQLite's and PostgreSQL's bound-parameter limits. */
export const INSERT_CHUNK = 200;
/** Keys per lookup query (IN lists, VALUES lists). */
export const LOOKUP_CHUNK = 500;

/** Slices of at most `size` items, for multi-row statements. */
export function* chunks<T>(items: T[], size = INSERT_CHUNK): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
