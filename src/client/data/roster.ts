/**
 * The site's roster on the phone: the residents the site expects, pulled from the server (sync/roster.ts) and kept
 * sealed like other personal data (meta `roster`; no phone numbers). In memory while unlocked, by document, so a scan
 * checks it without a read: on the roster (marked), a bare ID number's name, or a quiet "not on roster".
 */
import type { DocType } from "../../domain/documents";
import type { SiteRosterEntry } from "../../domain/roster";
import { getMeta, setMeta } from "./meta";
import { openJson, sealJson } from "./recordCipher";

export interface RosterMatch {
  name: string;
  community: string;
  grid: string;
}

const byDocument = new Map<string, RosterMatch>();
/** The site and version held in memory (null: none held, e.g. locked or never fetched). */
let held: { siteCode: string; version: string } | null = null;
const key = (docType: string, docNumber: string) => `${docType}\u0000${docNumber.toUpperCase()}`;

function hold(siteCode: string, version: string, entries: SiteRosterEntry[]): void {
  byDocument.clear();
  for (const e of entries)
    byDocument.set(key(e.docType, e.docNumber), { name: e.name, community: e.community, grid: e.grid });
  held = { siteCode, version };
  // Once per load: `npm run bench:roster` waits for it before scanning.
  performance.mark(ROSTER_HELD_MARK);
}

/**
 * What the roster says of a document: its entry, "absent" when the site has a roster without it, undefined when the
 * site has no roster on this phone (nothing to say).
 */
export function rosterOf(docType: DocType, docNumber: string): RosterMatch | "absent" | undefined {
  if (byDocument.size === 0) return undefined;
  const start = performance.now();
  const found = byDocument.get(key(docType, docNumber)) ?? "absent";
  // A user-timing entry per lookup (one per scan): `npm run bench:roster` reads them.
  performance.measure(ROSTER_LOOKUP_MEASURE, { start });
  return found;
}

export const ROSTER_LOOKUP_MEASURE = "samplepoint:roster-lookup";
export const ROSTER_HELD_MARK = "samplepoint:roster-held";

/** The version this phone holds of the site's roster (null: none readable, fetch it whole). */
export const heldRosterVersion = (siteCode: string): string | null =>
  held && held.siteCode === siteCode ? held.version : null;

/** Stores the site's roster as the server sent it (sealed), and holds it. */
export async function saveRoster(siteCode: string, version: string, entries: SiteRosterEntry[]): Promise<void> {
  await setMeta("roster", { siteCode, version, sealed: await sealJson(entries) });
  hold(siteCode, version, entries);
}

/** After an unlock: this site's stored roster into memory (none, another site's, or unreadable: nothing held). */
export async function loadRoster(siteCode: string): Promise<void> {
  const stored = await getMeta("roster");
  if (!stored || stored.siteCode !== siteCode) {
    forgetRoster();
    return;
  }
  try {
    hold(siteCode, stored.version, await openJson<SiteRosterEntry[]>(stored.sealed));
  } catch {
    // Sealed under an earlier key (records erased at a sign-in): fetched again whole at the next sync.
    forgetRoster();
  }
}

/** Locked: the roster leaves memory with the key. */
export function forgetRoster(): void {
  byDocument.clear();
  held = null;
}
