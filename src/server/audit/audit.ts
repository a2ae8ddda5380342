/** The audit log: one row per consequential act (logins, revocations, voids, transfers, quarantine decisions, exports). */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";

export type AuditAction =
  | "login"
  | "logout"
  | "token_revoked"
  | "password_reset"
  | "staff_added"
  | "site_added"
  | "lab_added"
  | "round_added"
  | "sites_imported"
  | "roster_imported"
  | "roster_exemption"
  | "roster_exemption_withdrawn"
  | "roster_cards_printed"
  | "counters_fixed"
  | "admin_lookup"
  | "box_received"
  | "result_recorded"
  | "result_changed"
  | "recall_updated"
  | "resident_lookup"
  | "registration_voided"
  | "tube_transferred"
  | "tube_abandoned"
  | "quarantine_resubmitted"
  | "quarantine_discarded"
  | "export"
  | "queue_imported"
  | "box_labels_reserved";

export interface AuditEntry {
  action: AuditAction;
  actor: string;
  siteCode?: string | null;
  subject?: string | null;
  detail?: Record<string, unknown>;
  at?: string;
}

const row = (entry: AuditEntry) => ({
  id: randomUUID(),
  at: entry.at ?? new Date().toISOString(),
  site_code: entry.siteCode ?? null,
  actor: entry.actor,
  action: entry.action,
  subject: entry.subject ?? null,
  detail: entry.detail ? JSON.stringify(entry.detail) : null,
});

/** Writes entries (in the caller's transaction when given one, so the act and its record commit together). */
export async function audit(db: Kysely<Database>, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.insertInto("audit_log").values(entries.map(row)).execute();
}
