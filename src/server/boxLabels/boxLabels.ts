/**
 * Box codes for printed labels, reserved in runs: each code is given out once, at one site, and is a box code there.
 *
 * How a code is made: "BOX", the site's prefix, "-", the site's next number, at least 4 digits (boxLabelCode:
 * BOXZF01-0001). Short codes print best: a 50 mm label holds 12 Code 128 symbols at 0.25 mm a module with the quiet
 * zones, and narrower modules no longer fall on a 203 dpi printer's dots and stop scanning (boxLabelSheet.test.ts).
 * So a site code of up to 4 characters is its own prefix (staff read the site in the code), and a longer one (site
 * codes have up to 32) gets "-" and 3 base-36 characters of a SHA-256 of its code (BOX-K3M-0001): at most
 * "BOX" + 4 + "-" + 6 digits = 14 characters, well within the box pattern's 20 after "BOX". Site codes never start
 * with "-", so the two kinds never meet; the number holds no "-", so a code names its prefix (between "BOX" and the
 * last "-"). The prefix is chosen at the site's first run and kept on its row under a unique index, taking the next
 * hash (of "code#1", "code#2", …) when another site already holds one: two sites never share a prefix, hence never a
 * code. The number is the site's counter on its row, moved by the whole run in one UPDATE inside the run's
 * transaction (the row stays locked until commit on PostgreSQL; SQLite has one writer), so parallel runs get disjoint
 * numbers, and a refused run (a site pattern that cannot hold the codes) moves nothing. Codes staff already typed for
 * boxes of their own (at any site) are skipped.
 */
import { createHash } from "node:crypto";
import { type Kysely, sql } from "kysely";
import { type BoxLabelRun, boxLabelCode, READABLE_PREFIX_MAX } from "../../domain/boxLabels";
import type { ResidentFormat } from "../../domain/residentFormats";
import { formatsForSite } from "../../domain/residentFormats";
import { createScanClassifier } from "../../domain/scanCodes";
import { siteDay } from "../../domain/siteDay";
import { audit } from "../audit/audit";
import type { Database } from "../db/schema";
import { ApiError } from "../errors";

/** Numbers beyond this would make codes too long for the label (and a site prints far fewer boxes). */
export const MAX_BOX_LABEL_NUMBER = 999_999;
const HASH_LENGTH = 3;

/** The site's prefix candidates, best first: its code when short, then hashes of its code. */
export function* prefixCandidates(siteCode: string): Generator<string> {
  if (siteCode.length <= READABLE_PREFIX_MAX && /^[0-9A-Z][0-9A-Z-]*$/.test(siteCode)) yield siteCode;
  for (let i = 0; ; i++) {
    const digest = createHash("sha256")
      .update(i === 0 ? siteCode : `${siteCode}#${i}`)
      .digest();
    const value = digest.readUIntBE(0, 4) % 36 ** HASH_LENGTH;
    yield `-${value.toString(36).toUpperCase().padStart(HASH_LENGTH, "0")}`;
  }
}

/** The site's prefix, chosen now if it has none yet (inside the caller's transaction, its row locked). */
async function sitePrefix(trx: Kysely<Database>, siteCode: string, current: string | null): Promise<string> {
  if (current !== null) return current;
  for (const candidate of prefixCandidates(siteCode)) {
    const taken = await trx
      .selectFrom("sites")
      .select("code")
      .where("box_label_prefix", "=", candidate)
      .executeTakeFirst();
    if (taken) continue;
    // Two sites racing for the same hash (practically never) meet the unique index: the later run fails, nothing kept.
    await trx.updateTable("sites").set({ box_label_prefix: candidate }).where("code", "=", siteCode).execute();
    return candidate;
  }
  throw new Error("unreachable: prefix candidates never end");
}

export interface ReserveOptions {
  actor: string;
  formats?: ResidentFormat[];
  now?: Date;
}

/** Reserves `count` new box codes for the site, with the audit record, in one transaction. */
export async function reserveBoxLabels(
  db: Kysely<Database>,
  siteCode: string,
  count: number,
  options: ReserveOptions,
): Promise<BoxLabelRun> {
  const now = options.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    const codes: string[] = [];
    let site: { name: string; tube_pattern: string; box_pattern: string } | undefined;
    let prefix: string | null = null;
    // More runs only when codes were skipped (already typed for a box): a few at most.
    for (let wanted = count; wanted > 0; ) {
      const row = await trx
        .updateTable("sites")
        .set({ box_label_seq: sql`box_label_seq + ${wanted}` })
        .where("code", "=", siteCode)
        .returning(["name", "tube_pattern", "box_pattern", "box_label_seq", "box_label_prefix"])
        .executeTakeFirst();
      if (!row) throw new ApiError(404, "unknown_site", `There is no site ${siteCode}.`);
      site = row;
      prefix ??= await sitePrefix(trx, siteCode, row.box_label_prefix);
      const last = Number(row.box_label_seq);
      if (last > MAX_BOX_LABEL_NUMBER) {
        throw new ApiError(409, "box_labels_exhausted", `Site ${siteCode} has given out all its box label numbers.`);
      }
      const run = Array.from({ length: wanted }, (_, i) => boxLabelCode(prefix as string, last - wanted + 1 + i));
      const used = new Set(
        (await trx.selectFrom("boxes").select("code").distinct().where("code", "in", run).execute()).map((b) => b.code),
      );
      codes.push(...run.filter((code) => !used.has(code)));
      wanted = count - codes.length;
    }
    if (!site || prefix === null) throw new Error("unreachable: a run reserves at least one code");
    // The station's own classifier with the site's patterns and formats: what it reads as a box, it prints.
    const classifier = createScanClassifier({
      tubePattern: site.tube_pattern,
      boxPattern: site.box_pattern,
      residentFormats: formatsForSite(options.formats ?? [], siteCode),
    });
    const unfit = codes.find((code) => classifier.classify(code).kind !== "box");
    if (unfit !== undefined) {
      throw new ApiError(
        409,
        "box_pattern_unfit",
        `Site ${siteCode}'s box pattern ${site.box_pattern} does not take printed codes such as ${unfit}.`,
        { boxPattern: site.box_pattern, example: unfit },
      );
    }
    const first = codes[0] as string;
    const last = codes[codes.length - 1] as string;
    await audit(trx, {
      action: "box_labels_reserved",
      actor: options.actor,
      siteCode,
      subject: codes.length === 1 ? first : `${first}..${last}`,
      detail: { count: codes.length, first, last },
      at: now.toISOString(),
    });
    return { codes, site: { code: siteCode, name: site.name }, day: siteDay(now.toISOString()) };
  });
}
