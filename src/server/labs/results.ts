/**
 * Results per tube, recorded by a lab: from the console, an uploaded CSV/XLSX, or a LIS over the API — all through
 * recordResults. Idempotent per result id; a result never overwrites another: a changed result is a new row with a
 * reason that names the one it replaces (the old one stops being current). A result for a tube this lab has not
 * received is refused. A positive or invalid pooled tube puts its residents on the recall list in the same
 * transaction; a result for a recall's single-person tube closes that resident's recall.
 */
import { randomUUID } from "node:crypto";
import { type Kysely, sql, type Transaction } from "kysely";
import {
  type Outcome,
  RECALL_OUTCOMES,
  type ResultInput,
  type ResultRefusal,
  type ResultRowOutcome,
} from "../../domain/labs";
import { audit } from "../audit/audit";
import type { StoreKind } from "../db";
import { insertRows } from "../db/insertRows";
import type { Database } from "../db/schema";
import { chunks, LOOKUP_CHUNK } from "../events/chunks";

export type ResultSource = "console" | "upload" | "api";

const REFUSAL_MESSAGES: Record<ResultRefusal, string> = {
  unknown_tube: "No tube with this code is on the server.",
  ambiguous_tube: "Several sites used this tube code: give the site.",
  not_received: "This tube has not been received at this lab: receive its box first.",
  received_elsewhere: "This tube was received by another lab.",
  conflicting_result: "The tube already has another result: a change needs a reason.",
  result_id_conflict: "This result id was used for a different result.",
};

interface TubeRow {
  site_code: string;
  code: string;
  capacity: number;
}

interface CurrentResult {
  id: string;
  outcome: string;
  ct: string | null;
}

const key = (site: string, tube: string) => `${site}\u0000${tube}`;
/** Ct values in a canonical form (keys sorted), so that the same values compare equal however they were sent. */
const ctText = (ct: Record<string, number> | undefined): string | null =>
  ct && Object.keys(ct).length > 0
    ? JSON.stringify(Object.fromEntries(Object.entries(ct).sort(([a], [b]) => a.localeCompare(b))))
    : null;

/** Reads what the batch needs, a chunk of codes per statement: tubes, receipts, current results, known result ids. */
async function lookups(trx: Transaction<Database>, inputs: ResultInput[]) {
  const codes = [...new Set(inputs.map((r) => r.tubeCode))];
  const ids = [...new Set(inputs.map((r) => r.resultId))];
  const tubesByCode = new Map<string, TubeRow[]>();
  const receipts = new Map<string, string>();
  const current = new Map<string, CurrentResult>();
  const known = new Map<
    string,
    { site_code: string; tube_code: string; outcome: string; ct: string | null; resulted_at: string }
  >();
  for (const chunk of chunks(codes, LOOKUP_CHUNK)) {
    for (const t of await trx
      .selectFrom("tubes")
      .select(["site_code", "code", "capacity"])
      .where("code", "in", chunk)
      .execute()) {
      const list = tubesByCode.get(t.code) ?? [];
      list.push({ ...t, capacity: Number(t.capacity) });
      tubesByCode.set(t.code, list);
    }
    for (const r of await trx
      .selectFrom("tube_receipts")
      .select(["site_code", "tube_code", "lab_code"])
      .where("tube_code", "in", chunk)
      .execute()) {
      receipts.set(key(r.site_code, r.tube_code), r.lab_code);
    }
    for (const r of await trx
      .selectFrom("results")
      .select(["id", "site_code", "tube_code", "outcome", "ct"])
      .where("tube_code", "in", chunk)
      .where("current", "=", 1)
      .execute()) {
      current.set(key(r.site_code, r.tube_code), { id: r.id, outcome: r.outcome, ct: r.ct });
    }
  }
  for (const chunk of chunks(ids, LOOKUP_CHUNK)) {
    for (const r of await trx
      .selectFrom("results")
      .select(["id", "site_code", "tube_code", "outcome", "ct", "resulted_at"])
      .where("id", "in", chunk)
      .execute()) {
      known.set(r.id, r);
    }
  }
  return { tubesByCode, receipts, current, known };
}

export async function recordResults(
  db: Kysely<Database>,
  dialect: StoreKind,
  request: { labCode: string; staffId: string; source: ResultSource; results: ResultInput[] },
  now = new Date(),
): Promise<ResultRowOutcome[]> {
  return db.transaction().execute(async (trx) => {
    // PostgreSQL: results for the same tubes (two uploads, a bench and a LIS) take turns — each then sees the other's
    // standing result and result ids, instead of both recording a "current" one. (SQLite runs one writer at a time.)
    if (dialect === "postgres") {
      // One statement, rows locked in (site, code) order: two batches never wait on each other in a circle.
      const codes = [...new Set(request.results.map((r) => r.tubeCode))];
      await sql`SELECT 1 FROM tubes WHERE code = ANY(${codes}) ORDER BY site_code, code FOR UPDATE`.execute(trx);
    }
    const { tubesByCode, receipts, current, known } = await lookups(trx, request.results);
    const recordedAt = now.toISOString();
    const rows: Database["results"][] = [];
    const superseded: string[] = [];
    const outcomes: ResultRowOutcome[] = [];
    /** Tubes whose new result recalls their residents, and single tubes whose result closes a recall. */
    const recallFor: { siteCode: string; tubeCode: string; resultId: string }[] = [];
    const closing: { siteCode: string; tubeCode: string; resultId: string; outcome: string }[] = [];
    for (const input of request.results) {
      const refuse = (code: ResultRefusal) =>
        outcomes.push({
          resultId: input.resultId,
          tubeCode: input.tubeCode,
          status: "refused",
          code,
          message: REFUSAL_MESSAGES[code],
        });
      const ct = ctText(input.ct);
      const seen = known.get(input.resultId);
      if (seen) {
        const same =
          seen.tube_code === input.tubeCode &&
          seen.outcome === input.outcome &&
          seen.ct === ct &&
          Date.parse(seen.resulted_at) === Date.parse(input.resultedAt);
        if (same) outcomes.push({ resultId: input.resultId, tubeCode: input.tubeCode, status: "duplicate" });
        else refuse("result_id_conflict");
        continue;
      }
      const candidates = (tubesByCode.get(input.tubeCode) ?? []).filter(
        (t) => input.siteCode === undefined || t.site_code === input.siteCode,
      );
      if (candidates.length === 0) {
        refuse("unknown_tube");
        continue;
      }
      // Several sites used the code: the one received here is meant.
      const here = candidates.filter((t) => receipts.get(key(t.site_code, t.code)) === request.labCode);
      const tube = candidates.length === 1 ? candidates[0] : here.length === 1 ? here[0] : undefined;
      if (!tube) {
        refuse("ambiguous_tube");
        continue;
      }
      const tubeKey = key(tube.site_code, tube.code);
      const receivedBy = receipts.get(tubeKey);
      if (receivedBy === undefined) {
        refuse("not_received");
        continue;
      }
      if (receivedBy !== request.labCode) {
        refuse("received_elsewhere");
        continue;
      }
      const standing = current.get(tubeKey);
      if (standing && standing.outcome === input.outcome && standing.ct === ct) {
        outcomes.push({ resultId: input.resultId, tubeCode: input.tubeCode, status: "duplicate" });
        continue;
      }
      if (standing && !input.reason) {
        refuse("conflicting_result");
        continue;
      }
      if (standing) superseded.push(standing.id);
      const row: Database["results"] = {
        id: input.resultId,
        site_code: tube.site_code,
        tube_code: tube.code,
        lab_code: request.labCode,
        outcome: input.outcome,
        ct,
        resulted_at: new Date(input.resultedAt).toISOString(),
        recorded_at: recordedAt,
        recorded_by: request.staffId,
        source: request.source,
        reason: input.reason ?? null,
        replaces: standing?.id ?? null,
        current: 1,
      };
      rows.push(row);
      current.set(tubeKey, { id: row.id, outcome: row.outcome, ct });
      known.set(row.id, { ...row });
      outcomes.push({
        resultId: input.resultId,
        tubeCode: tube.code,
        siteCode: tube.site_code,
        status: standing ? "changed" : "recorded",
      });
      if (tube.capacity > 1 && RECALL_OUTCOMES.includes(input.outcome as Outcome)) {
        recallFor.push({ siteCode: tube.site_code, tubeCode: tube.code, resultId: row.id });
      }
      closing.push({ siteCode: tube.site_code, tubeCode: tube.code, resultId: row.id, outcome: input.outcome });
    }
    // A row replaced within this batch is not current either.
    const replacedHere = new Set(rows.flatMap((r) => (r.replaces ? [r.replaces] : [])));
    for (const row of rows) if (replacedHere.has(row.id)) row.current = 0;
    for (const chunk of chunks(superseded, LOOKUP_CHUNK)) {
      await trx.updateTable("results").set({ current: 0 }).where("id", "in", chunk).execute();
    }
    await insertRows(trx, dialect, "results", rows, { onConflictDoNothing: ["id"] });
    // A corrected result takes over the recalls of the one it replaces (no second list for the same people); a
    // correction to an outcome that recalls nobody withdraws those still open.
    for (const row of rows) {
      if (!row.replaces) continue;
      const recalls = RECALL_OUTCOMES.includes(row.outcome as Outcome);
      await trx
        .updateTable("recalls")
        .set({
          result_id: row.id,
          ...(recalls ? {} : { state: "withdrawn", updated_at: recordedAt, updated_by: request.staffId }),
        })
        .where("result_id", "=", row.replaces)
        .where(
          "state",
          "in",
          recalls ? ["to_contact", "contacted", "resampled", "resulted", "withdrawn"] : ["to_contact", "contacted"],
        )
        .execute();
    }
    const recalled = await openRecalls(trx, dialect, recallFor, request.staffId, recordedAt);
    for (const o of outcomes) {
      const n = recalled.get(o.resultId);
      if (n !== undefined) o.recalled = n;
    }
    await closeRecalls(trx, closing, request.staffId, recordedAt);
    if (rows.length > 0) {
      await audit(trx, {
        action: superseded.length > 0 ? "result_changed" : "result_recorded",
        actor: request.staffId,
        subject: request.labCode,
        detail: {
          source: request.source,
          recorded: rows.length,
          changed: rows.filter((r) => r.replaces).map((r) => ({ id: r.id, replaces: r.replaces, reason: r.reason })),
          recalled: [...recalled.values()].reduce((a, b) => a + b, 0),
        },
      });
    }
    return outcomes;
  });
}

/** The residents (not voided) of each recalled tube: one recall entry each, to contact. */
async function openRecalls(
  trx: Transaction<Database>,
  dialect: StoreKind,
  tubes: { siteCode: string; tubeCode: string; resultId: string }[],
  staffId: string,
  at: string,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const tube of tubes) {
    const registrations = await trx
      .selectFrom("registrations")
      .select(["id", "doc_number"])
      .where("site_code", "=", tube.siteCode)
      .where("tube_code", "=", tube.tubeCode)
      .where("voided_at", "is", null)
      .execute();
    await insertRows(
      trx,
      dialect,
      "recalls",
      registrations.map((r) => ({
        id: randomUUID(),
        site_code: tube.siteCode,
        tube_code: tube.tubeCode,
        result_id: tube.resultId,
        registration_id: r.id,
        doc_number: r.doc_number,
        state: "to_contact",
        created_at: at,
        updated_at: at,
        updated_by: staffId,
        single_tube_code: null,
        single_result_id: null,
      })),
      { onConflictDoNothing: ["result_id", "registration_id"] },
    );
    counts.set(tube.resultId, registrations.length);
  }
  return counts;
}

/** A result for a recall's single-person tube: that resident's recall is resulted. */
async function closeRecalls(
  trx: Transaction<Database>,
  tubes: { siteCode: string; tubeCode: string; resultId: string; outcome: string }[],
  staffId: string,
  at: string,
): Promise<void> {
  for (const chunk of chunks(tubes, LOOKUP_CHUNK)) {
    const singles = await trx
      .selectFrom("recalls")
      .select(["id", "site_code", "single_tube_code"])
      .where(
        "single_tube_code",
        "in",
        chunk.map((t) => t.tubeCode),
      )
      .execute();
    for (const recall of singles) {
      const tube = chunk.find((t) => t.tubeCode === recall.single_tube_code && t.siteCode === recall.site_code);
      if (!tube) continue;
      // A usable result closes the recall; an invalid or rejected specimen sends the resident back to be sampled.
      const usable = tube.outcome === "negative" || tube.outcome === "positive";
      await trx
        .updateTable("recalls")
        .set(
          usable
            ? { state: "resulted", single_result_id: tube.resultId, updated_at: at, updated_by: staffId }
            : {
                state: "to_contact",
                single_tube_code: null,
                single_result_id: null,
                updated_at: at,
                updated_by: staffId,
              },
        )
        .where("id", "=", recall.id)
        .execute();
    }
  }
}
