/** Migrations are declared in code (not read from a folder) so they ship inside any bundle and run at start. */
import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import * as initial from "./migrations/0001_initial";
import * as boxesTransfers from "./migrations/0002_boxes_transfers";
import * as loginLimitsAudit from "./migrations/0003_login_limits_audit";
import * as conflicts from "./migrations/0004_conflicts";
import * as siteCursor from "./migrations/0005_site_cursor";
import * as retentionDays from "./migrations/0006_retention_days";
import * as labs from "./migrations/0007_labs";
import * as command from "./migrations/0008_command";
import * as rosters from "./migrations/0009_rosters";
import * as boxLabels from "./migrations/0010_box_labels";
import * as rosterExemptPartial from "./migrations/0011_roster_exempt_partial";
import type { Database } from "./schema";

const migrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_boxes_transfers": boxesTransfers,
  "0003_login_limits_audit": loginLimitsAudit,
  "0004_conflicts": conflicts,
  "0005_site_cursor": siteCursor,
  "0006_retention_days": retentionDays,
  "0007_labs": labs,
  "0008_command": command,
  "0009_rosters": rosters,
  "0010_box_labels": boxLabels,
  "0011_roster_exempt_partial": rosterExemptPartial,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** `schema`: PostgreSQL's schema for the bookkeeping tables, so that another schema's copy is not taken for ours. */
export async function migrateToLatest(db: Kysely<Database>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error)
    throw new Error(`database migration failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Migrates up (or down) to the named migration: tests build a database as an earlier version left it. */
export async function migrateTo(db: Kysely<Database>, name: string, schema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error } = await migrator.migrateTo(name);
  if (error) throw error;
}
