/**
 * Coverage (应检尽检) of a place and period: residents on the rosters, exempted, sampled, not yet sampled, by
 * district → street → site → grid. It counts roster entries by their last sampled day (kept by triggers) with one
 * grouped read of a covering index; only a past period, for entries sampled again after it, asks the registrations.
 * Also: the not-yet-sampled list of a site, and exemptions (audited).
 */
import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
import { maskDocumentNumber } from "../../domain/documents";
import {
  type Coverage,
  type CoverageQuery,
  coverageFigures,
  type ExemptionRequest,
  MAX_ROSTER_CARDS,
  type RosterCards,
  type RosterCardsQuery,
  type RosterResident,
  UNSAMPLED_PAGE,
  type UnsampledList,
  type UnsampledQuery,
} from "../../domain/roster";
import { siteDay, siteDayStart } from "../../domain/siteDay";
import { audit } from "../audit/audit";
import type { Authenticated } from "../auth/tokens";
import { resolvePeriod, resolveScope } from "../dashboard/dashboard";
import type { Database, RosterEntriesTable } from "../db/schema";
import { ApiError } from "../errors";

/** Admins see their city or district; a site lead sees their own site only. Others: 403. */
export function rosterViewer(auth: Authenticated): { district: string | null; site: string | null } {
  if (auth.role === "admin") return { district: auth.district, site: null };
  if (auth.role === "site_lead") return { district: null, site: auth.siteCode };
  throw new ApiError(403, "forbidden_role", "Only an administrator or a site lead may see rosters and coverage.");
}

async function scopeFor(db: Kysely<Database>, auth: Authenticated, query: CoverageQuery) {
  const viewer = rosterViewer(auth);
  if (viewer.site !== null && query.site !== undefined && query.site !== viewer.site) {
    throw new ApiError(403, "wrong_site", `This account sees site ${viewer.site} only.`);
  }
  return resolveScope(db, viewer, viewer.site !== null ? { ...query, site: viewer.site } : query);
}

/** Exempted in [from, to]: an exemption that overlaps the period. */
const exemptIn = (from: string, to: string) =>
  sql<boolean>`(e.exempt_from IS NOT NULL AND e.exempt_from <= ${to} AND (e.exempt_until IS NULL OR e.exempt_until >= ${from}))`;

/** A registration of the entry's document (not voided) in [from, to]: for entries sampled again after the period. */
const registeredIn = (from: string, to: string) => {
  const start = siteDayStart(from);
  const end = siteDayStart(addDay(to));
  return sql<boolean>`EXISTS (SELECT 1 FROM registrations r WHERE r.doc_number = e.doc_number AND r.doc_type = e.doc_type
    AND r.voided_at IS NULL AND r.registered_at >= ${start} AND r.registered_at < ${end})`;
};
const addDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export async function coverage(
  db: Kysely<Database>,
  auth: Authenticated,
  query: CoverageQuery,
  now = new Date(),
): Promise<Coverage> {
  const scope = await scopeFor(db, auth, query);
  const { from, to } = await resolvePeriod(db, query, now);
  let sites = db.selectFrom("sites as s").select(["s.code", "s.name", "s.district", "s.street"]);
  if (scope.district !== null) sites = sites.where("s.district", "=", scope.district);
  if (scope.street !== null) sites = sites.where("s.street", "=", scope.street);
  if (scope.site !== null) sites = sites.where("s.code", "=", scope.site);
  const siteRows = await sites.execute();
  const siteOf = new Map(siteRows.map((s) => [s.code, s]));

  // The groups' counts: size (day ""), and entries by the day they were last sampled.
  let counts = db
    .selectFrom("roster_counts as e")
    .select(["e.site_code", "e.community", "e.grid", "e.day", "e.entries"])
    .where((eb) => eb.or([eb("e.day", "=", ""), eb("e.day", ">=", from)]));
  const exempted = db
    .selectFrom("roster_entries as e")
    .select(["e.site_code", "e.community", "e.grid", "e.last_sampled_day"])
    .where(exemptIn(from, to));
  // Exemptions are few: read through their own index for the whole city and kept here by site (a site filter in the
  // query would have the store walk the place's entries instead).
  if (scope.site !== null) counts = counts.where("e.site_code", "=", scope.site);
  else if (scope.district !== null) {
    const codes = siteRows.map((s) => s.code);
    counts = counts.where("e.site_code", "in", codes.length > 0 ? codes : [""]);
  }
  type Group = {
    site_code: string;
    community: string;
    grid: string;
    entries: number;
    sampled: number;
    later: number;
    exempt: number;
  };
  const groupsByKey = new Map<string, Group>();
  const groupOf = (r: { site_code: string; community: string; grid: string }) => {
    const key = `${r.site_code}\u0000${r.community}\u0000${r.grid}`;
    let g = groupsByKey.get(key);
    if (!g) {
      g = { site_code: r.site_code, community: r.community, grid: r.grid, entries: 0, sampled: 0, later: 0, exempt: 0 };
      groupsByKey.set(key, g);
    }
    return g;
  };
  for (const r of await counts.execute()) {
    const g = groupOf(r);
    const n = Number(r.entries);
    if (r.day === "") g.entries += n;
    else if (r.day <= to) g.sampled += n;
    else g.later += n;
  }
  // Exempted entries (few) are expected by nobody: out of the sampled and the later ones too.
  for (const r of await exempted.execute()) {
    if (!siteOf.has(r.site_code)) continue;
    const g = groupOf(r);
    g.exempt++;
    const day = r.last_sampled_day;
    if (day !== null && day >= from && day <= to) g.sampled--;
    else if (day !== null && day > to) g.later--;
  }
  const rows = [...groupsByKey.values()];

  // A past period: entries sampled again since count if they were also sampled in it (asked per group, rarely).
  const exempt = exemptIn(from, to);
  const later = rows.filter((r) => r.later > 0);
  const sampledEarlier = new Map<string, number>();
  for (const group of later) {
    const found = await db
      .selectFrom("roster_entries as e")
      .select(sql<number>`count(*)`.as("n"))
      .where("e.site_code", "=", group.site_code)
      .where("e.community", "=", group.community)
      .where("e.grid", "=", group.grid)
      .where(sql<boolean>`NOT ${exempt} AND e.last_sampled_day > ${to} AND ${registeredIn(from, to)}`)
      .executeTakeFirst();
    sampledEarlier.set(`${group.site_code}\u0000${group.community}\u0000${group.grid}`, Number(found?.n ?? 0));
  }
  type Sum = { entries: number; exempt: number; sampled: number };
  const add = (into: Sum, from: Sum) => {
    into.entries += from.entries;
    into.exempt += from.exempt;
    into.sampled += from.sampled;
  };
  const totals: Sum = { entries: 0, exempt: 0, sampled: 0 };
  const children = new Map<
    string,
    { level: Coverage["children"][number]["level"]; key: string; label: string; community?: string; sum: Sum }
  >();
  const level = scope.level;
  for (const row of rows) {
    const site = siteOf.get(row.site_code);
    if (!site) continue;
    const sum: Sum = {
      entries: row.entries,
      exempt: row.exempt,
      sampled: row.sampled + (sampledEarlier.get(`${row.site_code}\u0000${row.community}\u0000${row.grid}`) ?? 0),
    };
    add(totals, sum);
    const child =
      level === "city"
        ? { level: "district" as const, key: site.district, label: site.district || "—" }
        : level === "district"
          ? { level: "street" as const, key: site.street, label: site.street || "—" }
          : level === "street"
            ? { level: "site" as const, key: site.code, label: site.name }
            : { level: "grid" as const, key: row.grid, label: row.grid, community: row.community };
    const key = child.level === "grid" ? `${row.community}\u0000${row.grid}` : child.key;
    let group = children.get(key);
    if (!group) {
      group = { ...child, sum: { entries: 0, exempt: 0, sampled: 0 } };
      children.set(key, group);
    }
    add(group.sum, sum);
  }
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    level,
    from,
    to,
    totals: coverageFigures(totals.entries, totals.exempt, totals.sampled),
    children: [...children.values()]
      .sort((a, b) => byText(a.community ?? "", b.community ?? "") || byText(a.key, b.key))
      .map(({ sum, ...child }) => ({ ...child, figures: coverageFigures(sum.entries, sum.exempt, sum.sampled) })),
  };
}

type EntryRow = Pick<
  RosterEntriesTable,
  | "id"
  | "name"
  | "doc_type"
  | "doc_number"
  | "phone"
  | "community"
  | "grid"
  | "exempt_reason"
  | "exempt_note"
  | "exempt_from"
  | "exempt_until"
>;
const ENTRY_COLUMNS = [
  "e.id",
  "e.name",
  "e.doc_type",
  "e.doc_number",
  "e.phone",
  "e.community",
  "e.grid",
  "e.exempt_reason",
  "e.exempt_note",
  "e.exempt_from",
  "e.exempt_until",
] as const;

export function residentOf(row: EntryRow): RosterResident {
  return {
    id: row.id,
    name: row.name,
    docType: row.doc_type as RosterResident["docType"],
    docNumber: maskDocumentNumber(row.doc_number),
    phone: row.phone,
    community: row.community,
    grid: row.grid,
    exemption:
      row.exempt_reason && row.exempt_from
        ? {
            reason: row.exempt_reason as NonNullable<RosterResident["exemption"]>["reason"],
            note: row.exempt_note,
            from: row.exempt_from,
            until: row.exempt_until,
          }
        : null,
  };
}

/** The site's access check and period for the lists: the site must exist and be the viewer's to see. */
async function listScope(db: Kysely<Database>, auth: Authenticated, query: UnsampledQuery, now: Date) {
  await scopeFor(db, auth, { site: query.site });
  return resolvePeriod(db, query, now);
}

/** Entries of the site (and community, grid) not sampled in [from, to]: exempted ones apart (`exempted`). */
function unsampledQuery(db: Kysely<Database>, query: UnsampledQuery, from: string, to: string, exempted: boolean) {
  let q: SelectQueryBuilder<Database & { e: RosterEntriesTable }, "e", EntryRow> = db
    .selectFrom("roster_entries as e")
    .select(ENTRY_COLUMNS)
    .where("e.site_code", "=", query.site);
  if (query.community !== undefined) q = q.where("e.community", "=", query.community);
  if (query.grid !== undefined) q = q.where("e.grid", "=", query.grid);
  const exempt = exemptIn(from, to);
  if (exempted) return q.where(exempt).orderBy("e.community").orderBy("e.grid").orderBy("e.name").orderBy("e.id");
  return q
    .where(sql<boolean>`NOT ${exempt}`)
    .where((eb) =>
      eb.or([
        eb("e.last_sampled_day", "is", null),
        eb("e.last_sampled_day", "<", from),
        eb.and([eb("e.last_sampled_day", ">", to), eb.not(registeredIn(from, to))]),
      ]),
    )
    .orderBy("e.community")
    .orderBy("e.grid")
    .orderBy("e.name")
    .orderBy("e.id");
}

export async function unsampledList(
  db: Kysely<Database>,
  auth: Authenticated,
  query: UnsampledQuery,
  now = new Date(),
): Promise<UnsampledList> {
  const { from, to } = await listScope(db, auth, query, now);
  const rows = await unsampledQuery(db, query, from, to, false).execute();
  const exempted = await unsampledQuery(db, query, from, to, true).limit(UNSAMPLED_PAGE).execute();
  return {
    from,
    to,
    total: rows.length,
    residents: rows.slice(0, UNSAMPLED_PAGE).map(residentOf),
    exempted: exempted.map(residentOf),
  };
}

/** The whole list for an export (the route writes it as CSV or XLSX and audits it). */
export async function unsampledForExport(
  db: Kysely<Database>,
  auth: Authenticated,
  query: UnsampledQuery,
  now = new Date(),
): Promise<{ from: string; to: string; residents: RosterResident[] }> {
  const { from, to } = await listScope(db, auth, query, now);
  const rows = await unsampledQuery(db, query, from, to, false).execute();
  return { from, to, residents: rows.map(residentOf) };
}

/** The entry, if this account may change it (404 for none, 403 for another site or district). */
async function entryFor(db: Kysely<Database>, auth: Authenticated, id: string) {
  const viewer = rosterViewer(auth);
  const entry = await db
    .selectFrom("roster_entries as e")
    .innerJoin("sites as s", "s.code", "e.site_code")
    .select(["e.id", "e.site_code", "e.doc_number", "e.exempt_reason", "s.district"])
    .where("e.id", "=", id)
    .executeTakeFirst();
  if (!entry) throw new ApiError(404, "unknown_roster_entry", "No such resident on any roster.");
  if (viewer.site !== null && viewer.site !== entry.site_code) {
    throw new ApiError(403, "wrong_site", `This account sees site ${viewer.site} only.`);
  }
  if (viewer.district !== null && viewer.district !== entry.district) {
    throw new ApiError(403, "other_district", `This account sees district ${viewer.district} only.`);
  }
  return entry;
}

export async function exempt(
  db: Kysely<Database>,
  auth: Authenticated,
  id: string,
  request: ExemptionRequest,
  now = new Date(),
): Promise<RosterResident> {
  const today = siteDay(now.toISOString());
  if (request.until !== undefined && request.until < today) {
    throw new ApiError(400, "until_in_past", "An exemption's last day is today or later.");
  }
  return changeExemption(db, auth, id, {
    exempt_reason: request.reason,
    exempt_note: request.note || null,
    exempt_from: today,
    exempt_until: request.until ?? null,
    exempt_by: auth.staffId,
  });
}

export function withdrawExemption(db: Kysely<Database>, auth: Authenticated, id: string): Promise<RosterResident> {
  return changeExemption(db, auth, id, null);
}

/** Sets (or with null withdraws) an entry's exemption, with its audit record in the same transaction. */
async function changeExemption(
  db: Kysely<Database>,
  auth: Authenticated,
  id: string,
  exemption: Pick<
    RosterEntriesTable,
    "exempt_reason" | "exempt_note" | "exempt_from" | "exempt_until" | "exempt_by"
  > | null,
): Promise<RosterResident> {
  const entry = await entryFor(db, auth, id);
  if (!exemption && entry.exempt_reason === null) {
    throw new ApiError(409, "not_exempt", "This resident has no exemption.");
  }
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("roster_entries")
      .set(
        exemption ?? { exempt_reason: null, exempt_note: null, exempt_from: null, exempt_until: null, exempt_by: null },
      )
      .where("id", "=", id)
      .execute();
    await audit(trx, {
      action: exemption ? "roster_exemption" : "roster_exemption_withdrawn",
      actor: auth.staffId,
      siteCode: entry.site_code,
      subject: maskDocumentNumber(entry.doc_number),
      detail: exemption
        ? { entry: id, reason: exemption.exempt_reason, note: exemption.exempt_note, until: exemption.exempt_until }
        : { entry: id },
    });
  });
  return residentOf(
    await db.selectFrom("roster_entries as e").select(ENTRY_COLUMNS).where("e.id", "=", id).executeTakeFirstOrThrow(),
  );
}

/** A site's roster as phones hold it (no phone numbers), and its version. */
export async function siteRoster(db: Kysely<Database>, site: string) {
  const version = await db.selectFrom("sites").select("roster_version").where("code", "=", site).executeTakeFirst();
  if (!version) throw new ApiError(404, "unknown_site", `There is no site ${site}.`);
  const entries = await db
    .selectFrom("roster_entries")
    .select(["doc_type", "doc_number", "name", "community", "grid"])
    .where("site_code", "=", site)
    .execute();
  return {
    version: version.roster_version,
    entries: entries.map((e) => ({
      docType: e.doc_type as RosterResident["docType"],
      docNumber: e.doc_number,
      name: e.name,
      community: e.community,
      grid: e.grid,
    })),
  };
}

/** Residents for printed resident-code cards (full numbers: the code holds them), audited with their count. */
export async function rosterCards(
  db: Kysely<Database>,
  auth: Authenticated,
  query: RosterCardsQuery,
): Promise<RosterCards> {
  await scopeFor(db, auth, { site: query.site });
  let q = db
    .selectFrom("roster_entries as e")
    .select(["e.name", "e.doc_type", "e.doc_number", "e.community"])
    .where("e.site_code", "=", query.site);
  if (query.community !== undefined) q = q.where("e.community", "=", query.community);
  if (query.grid !== undefined) q = q.where("e.grid", "=", query.grid);
  if (query.withoutPhone === "1") q = q.where("e.phone", "is", null);
  const rows = await q
    .orderBy("e.community")
    .orderBy("e.grid")
    .orderBy("e.name")
    .limit(MAX_ROSTER_CARDS + 1)
    .execute();
  if (rows.length > MAX_ROSTER_CARDS) {
    throw new ApiError(400, "too_many_cards", `At most ${MAX_ROSTER_CARDS} cards at once: choose a grid.`);
  }
  await audit(db, {
    action: "roster_cards_printed",
    actor: auth.staffId,
    siteCode: query.site,
    detail: { grid: query.grid ?? null, community: query.community ?? null, cards: rows.length },
  });
  return {
    residents: rows.map((r) => ({
      name: r.name,
      docType: r.doc_type as RosterResident["docType"],
      docNumber: r.doc_number,
      community: r.community,
    })),
  };
}
