/** Table types for Kysely. Booleans are stored as 0/1 integers so the same code runs on SQLite and PostgreSQL. */
import type { Generated, Insertable, Selectable } from "kysely";

export interface SitesTable {
  code: string;
  name: string;
  pool_size: number;
  tube_pattern: string;
  box_pattern: string;
  phone_required: number;
  /** Days phones keep synced records after their box was handed over. */
  retention_days: Generated<number>;
  created_at: string;
  /** The last per-site event number given out (the pull cursor's counter). */
  last_event_seq: Generated<number>;
  /** 区/县 and 街道 ("" when not given): the command centre's levels. */
  district: Generated<string>;
  street: Generated<string>;
  /** Changes with each roster import touching the site ("" before any): phones refetch only then. */
  roster_version: Generated<string>;
  /** The last box-label number given out (migration 0010); bigint: PostgreSQL returns a string. */
  box_label_seq: Generated<number | string>;
  /** What the site's printed box codes carry after "BOX" (set at its first print run; unique). */
  box_label_prefix: Generated<string | null>;
}

export interface StaffTable {
  id: string;
  username: string;
  name: string;
  role: string;
  /** The site of station staff; null for lab staff. */
  site_code: string | null;
  password_hash: string;
  disabled: number;
  created_at: string;
  /** The lab of lab staff. */
  lab_code: Generated<string | null>;
  /** An admin's district; null: the whole city. */
  district: Generated<string | null>;
}

export interface DevicesTable {
  id: string;
  site_code: string;
  staff_id: string;
  /** High-water mark: the last per-device sequence number applied. */
  last_seq: number;
  last_seen_at: string;
  /** Events the device said it still had queued when it last pushed (this batch included). */
  reported_pending: number | null;
  /** The device's clock minus the server's at its last push that said (ms). */
  clock_skew_ms: Generated<number | string | null>;
}

export interface TokensTable {
  hash: string;
  staff_id: string;
  site_code: string;
  device_id: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  /** A console token of lab staff: their lab (site_code is then ""). */
  lab_code: Generated<string | null>;
}

export interface EventsTable {
  id: string;
  site_code: string;
  device_id: string;
  seq: number;
  staff_id: string;
  type: string;
  occurred_at: string;
  received_at: string;
  /** Canonical JSON of the whole event, compared on resend to tell a duplicate from a conflict. */
  body: string;
  /** The event's number within its site, in commit order: what devices pull after. */
  site_seq: number;
}

export interface TubesTable {
  site_code: string;
  code: string;
  capacity: number;
  status: string;
  opened_at: string;
  opened_by_device: string;
  sealed_at: string | null;
  sealed_count: number | null;
  short: number;
  box_code: string | null;
  transferred_to: string | null;
  void_reason: string | null;
}

export interface BoxesTable {
  site_code: string;
  code: string;
  status: string;
  opened_at: string;
  opened_by_device: string;
  closed_at: string | null;
  tube_count: number | null;
  handed_over_at: string | null;
  courier_name: string | null;
  courier_phone: string | null;
  vehicle_plate: string | null;
  /** The lab the courier takes the box to, when named at handover. */
  destination_lab: Generated<string | null>;
}

export interface RegistrationsTable {
  id: string;
  site_code: string;
  tube_code: string;
  name: string;
  doc_type: string;
  doc_number: string;
  phone: string | null;
  community: string | null;
  registered_at: string;
  device_id: string;
  staff_id: string;
  event_id: string;
  voided_at: string | null;
  void_reason: string | null;
  repeat_reason: string | null;
}

export interface Database {
  sites: SitesTable;
  staff: StaffTable;
  devices: DevicesTable;
  tokens: TokensTable;
  events: EventsTable;
  tubes: TubesTable;
  registrations: RegistrationsTable;
  boxes: BoxesTable;
  login_failures: LoginFailuresTable;
  audit_log: AuditLogTable;
  conflicts: ConflictsTable;
  labs: LabsTable;
  box_receipts: BoxReceiptsTable;
  tube_receipts: TubeReceiptsTable;
  results: ResultsTable;
  recalls: RecallsTable;
  rounds: RoundsTable;
  site_day_counts: SiteDayCountsTable;
  export_tickets: ExportTicketsTable;
  roster_entries: RosterEntriesTable;
  roster_counts: RosterCountsTable;
}

/** Entries by grid and last sampled day (day "": the grid's size); migration 0009. */
export interface RosterCountsTable {
  site_code: string;
  community: string;
  grid: string;
  day: string;
  entries: Generated<number | string>;
}

/** A resident a site expects (migration 0009). `last_sampled_day` is kept by triggers on registrations. */
export interface RosterEntriesTable {
  id: string;
  site_code: string;
  community: string;
  grid: string;
  name: string;
  doc_type: string;
  doc_number: string;
  phone: string | null;
  imported_at: string;
  exempt_reason: string | null;
  exempt_note: string | null;
  /** Beijing days, inclusive; until null: until withdrawn. */
  exempt_from: string | null;
  exempt_until: string | null;
  exempt_by: string | null;
  last_sampled_day: string | null;
}

export interface ExportTicketsTable {
  hash: string;
  staff_id: string;
  request: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface RoundsTable {
  id: string;
  name: string;
  /** Beijing days, inclusive (YYYY-MM-DD). */
  starts_on: string;
  ends_on: string;
  created_at: string;
}

/** Kept by triggers (migration 0008); see dashboard/counters.ts. Counts are bigint: PostgreSQL returns strings. */
export interface SiteDayCountsTable {
  site_code: string;
  day: string;
  registrations: Generated<number | string>;
  voided: Generated<number | string>;
  tubes_open: Generated<number | string>;
  tubes_sealed: Generated<number | string>;
  tubes_short: Generated<number | string>;
  tubes_void: Generated<number | string>;
  boxes_open: Generated<number | string>;
  boxes_closed: Generated<number | string>;
  boxes_handed_over: Generated<number | string>;
  boxes_received: Generated<number | string>;
  results_negative: Generated<number | string>;
  results_positive: Generated<number | string>;
  results_invalid: Generated<number | string>;
  results_rejected: Generated<number | string>;
  last_registration_at: string | null;
  /** SQLite: JSON text of 144 numbers; PostgreSQL: integer[]. */
  buckets: Generated<unknown>;
}

export interface LabsTable {
  code: string;
  name: string;
  created_at: string;
}

export interface BoxReceiptsTable {
  site_code: string;
  box_code: string;
  lab_code: string;
  received_at: string;
  received_by: string;
  /** JSON: the receipt report (expected, missing, extra, unsynced). */
  report: string;
}

export interface TubeReceiptsTable {
  site_code: string;
  tube_code: string;
  lab_code: string;
  box_code: string | null;
  received_at: string;
  received_by: string;
}

export interface ResultsTable {
  id: string;
  site_code: string;
  tube_code: string;
  lab_code: string;
  outcome: string;
  ct: string | null;
  resulted_at: string;
  recorded_at: string;
  recorded_by: string;
  source: string;
  reason: string | null;
  replaces: string | null;
  current: number;
}

export interface RecallsTable {
  id: string;
  site_code: string;
  tube_code: string;
  result_id: string;
  registration_id: string;
  doc_number: string;
  state: string;
  created_at: string;
  updated_at: string;
  updated_by: string;
  single_tube_code: string | null;
  single_result_id: string | null;
}

export type SiteRow = Selectable<SitesTable>;
export type StaffRow = Selectable<StaffTable>;
export type NewEventRow = Insertable<EventsTable>;
export type { Generated };

export interface LoginFailuresTable {
  key: string;
  window_start: string;
  failures: number;
}

/** Who did what, when: logins, revocations, voids, transfers, quarantine decisions, exports. */
export interface AuditLogTable {
  id: string;
  at: string;
  site_code: string | null;
  /** A staff id, or "cli:<os user>" for the administration CLI. */
  actor: string;
  action: string;
  subject: string | null;
  /** JSON. */
  detail: string | null;
}

export interface ConflictsTable {
  site_code: string;
  /** CONFLICT_KINDS in the protocol. */
  kind: string;
  subject: string;
  /** JSON. */
  detail: string;
  event_id: string | null;
  detected_at: string;
}
