/**
 * The public resident status page's lookup: a resident gives their document number and name (and, optionally, the
 * last 4 digits of their phone) and sees only their own recent samplings — the site, the time, and "sampled" / "in
 * lab" / "negative" / "please contact your community". Never another person's data, never the tube's other members.
 * A wrong name answers exactly as no record does. Limited per address and per document (counts kept in the store, so
 * every server process counts the same), and every lookup is audited (with the number masked).
 */
import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { StatusAnswer } from "../../domain/labs";
import { audit } from "../audit/audit";
import { countInWindow } from "../auth/loginLimits";
import type { Database } from "../db/schema";
import { ApiError } from "../errors";
import { chunks, LOOKUP_CHUNK } from "../events/chunks";

export interface StatusLimits {
  windowMs: number;
  perAddress: number;
  perDocument: number;
}

/** Residents behind a mobile carrier's shared address: generous per address, tight per document. */
export const DEFAULT_STATUS_LIMITS: StatusLimits = { windowMs: 10 * 60_000, perAddress: 60, perDocument: 10 };

/** How far back a resident sees their samplings. */
const RECENT_DAYS = 14;

const documentKey = (docNumber: string) =>
  `status-doc:${createHash("sha256").update(docNumber.toUpperCase()).digest("hex").slice(0, 32)}`;

/** Counts one lookup against both keys; 429 when either is over its limit in its window. */
async function countLookup(
  db: Kysely<Database>,
  keys: { key: string; limit: number }[],
  windowMs: number,
  now: number,
): Promise<void> {
  for (const { key } of keys) await countInWindow(db, key, windowMs, now);
  const rows = await db
    .selectFrom("login_failures")
    .selectAll()
    .where(
      "key",
      "in",
      keys.map((k) => k.key),
    )
    .execute();
  for (const row of rows) {
    const limit = keys.find((k) => k.key === row.key)?.limit ?? Number.POSITIVE_INFINITY;
    if (row.failures > limit) {
      const wait = Math.max(1, Math.ceil((Date.parse(row.window_start) + windowMs - now) / 1000));
      throw new ApiError(429, "too_many_lookups", `Too many lookups; try again in ${wait} s.`, {
        retryAfterSeconds: wait,
      });
    }
  }
}

const normalName = (name: string) => name.normalize("NFC").replace(/\s+/g, "").toUpperCase();
const mask = (docNumber: string) =>
  docNumber.length <= 6 ? "*".repeat(docNumber.length) : `${docNumber.slice(0, 3)}***${docNumber.slice(-3)}`;

export async function residentStatus(
  db: Kysely<Database>,
  lookup: { docNumber: string; name: string; phoneLast4?: string | undefined },
  address: string,
  limits: StatusLimits = DEFAULT_STATUS_LIMITS,
  now = Date.now(),
): Promise<StatusAnswer> {
  const docNumber = lookup.docNumber.trim().toUpperCase();
  // Refused lookups are audited too (every lookup is).
  const refused = (error: unknown) =>
    audit(db, {
      action: "resident_lookup",
      actor: "public",
      subject: mask(docNumber),
      detail: { address, refused: error instanceof ApiError ? error.code : "error" },
    }).then(() => Promise.reject(error));
  await countLookup(
    db,
    [
      { key: `status-addr:${address}`, limit: limits.perAddress },
      { key: documentKey(docNumber), limit: limits.perDocument },
    ],
    limits.windowMs,
    now,
  ).catch(refused);
  const since = new Date(now - RECENT_DAYS * 24 * 60 * 60 * 1000).toISOString();
  const rows = await db
    .selectFrom("registrations")
    .innerJoin("sites", "sites.code", "registrations.site_code")
    .select([
      "registrations.site_code",
      "registrations.tube_code",
      "registrations.name",
      "registrations.phone",
      "registrations.registered_at",
      "sites.name as site_name",
    ])
    .where("registrations.doc_number", "=", docNumber)
    .where("registrations.voided_at", "is", null)
    .where("registrations.registered_at", ">=", since)
    .orderBy("registrations.registered_at", "desc")
    .limit(50)
    .execute();
  // The same answer for a wrong name (or phone) as for no record: nothing tells a guesser which part was wrong.
  const own = rows.filter(
    (r) =>
      normalName(r.name) === normalName(lookup.name) &&
      (lookup.phoneLast4 === undefined || (r.phone ?? "").endsWith(lookup.phoneLast4)),
  );
  const received = new Set<string>();
  const outcomes = new Map<string, string>();
  const key = (site: string, tube: string) => `${site}\u0000${tube}`;
  const tubeCodes = [...new Set(own.map((r) => r.tube_code))];
  for (const chunk of chunks(tubeCodes, LOOKUP_CHUNK)) {
    for (const r of await db
      .selectFrom("tube_receipts")
      .select(["site_code", "tube_code"])
      .where("tube_code", "in", chunk)
      .execute())
      received.add(key(r.site_code, r.tube_code));
    for (const r of await db
      .selectFrom("results")
      .select(["site_code", "tube_code", "outcome"])
      .where("tube_code", "in", chunk)
      .where("current", "=", 1)
      .execute())
      outcomes.set(key(r.site_code, r.tube_code), r.outcome);
  }
  const answer: StatusAnswer = {
    samplings: own.map((r) => {
      const k = key(r.site_code, r.tube_code);
      const outcome = outcomes.get(k);
      return {
        siteName: r.site_name,
        sampledAt: r.registered_at,
        status:
          outcome === "negative"
            ? "negative"
            : outcome !== undefined
              ? "contact_community"
              : received.has(k)
                ? "in_lab"
                : "sampled",
      };
    }),
  };
  await audit(db, {
    action: "resident_lookup",
    actor: "public",
    subject: mask(docNumber),
    detail: { address, found: answer.samplings.length },
  });
  return answer;
}
