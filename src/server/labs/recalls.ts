/**
 * Recall lists: the residents of a positive (or invalid) pooled tube, with what is needed to reach them (name,
 * document, phone, community), where and when they were sampled and by whom, and each one's state: to contact →
 * contacted → re-sampled (a single-person tube opened at a station, linked to the recall) → resulted (that tube's
 * result). Read by the lab that recorded the result, the recalled site's staff, and admins.
 */
import type { Kysely } from "kysely";
import type { DocType } from "../../domain/documents";
import type { Outcome, RecallEntry, RecallState } from "../../domain/labs";
import { audit } from "../audit/audit";
import type { Database } from "../db/schema";
import { ApiError } from "../errors";

export interface RecallFilter {
  siteCode?: string;
  labCode?: string;
  tubeCode?: string;
  /** Only those not yet resulted. */
  open?: boolean;
}

export async function listRecalls(db: Kysely<Database>, filter: RecallFilter, limit = 5000): Promise<RecallEntry[]> {
  let query = db
    .selectFrom("recalls")
    .innerJoin("registrations", "registrations.id", "recalls.registration_id")
    .innerJoin("results", "results.id", "recalls.result_id")
    .innerJoin("sites", "sites.code", "recalls.site_code")
    .leftJoin("staff", "staff.id", "registrations.staff_id")
    .leftJoin("results as single", "single.id", "recalls.single_result_id")
    .select([
      "recalls.id",
      "recalls.state",
      "recalls.tube_code",
      "recalls.created_at",
      "recalls.site_code",
      "recalls.single_tube_code",
      "results.outcome",
      "results.recorded_at",
      "sites.name as site_name",
      "registrations.name",
      "registrations.doc_type",
      "registrations.doc_number",
      "registrations.phone",
      "registrations.community",
      "registrations.registered_at",
      "staff.name as staff_name",
      "single.outcome as single_outcome",
    ]);
  if (filter.siteCode) query = query.where("recalls.site_code", "=", filter.siteCode);
  if (filter.labCode) query = query.where("results.lab_code", "=", filter.labCode);
  if (filter.tubeCode) query = query.where("recalls.tube_code", "=", filter.tubeCode);
  if (filter.open) query = query.where("recalls.state", "in", ["to_contact", "contacted", "resampled"]);
  const rows = await query
    .orderBy("recalls.created_at", "desc")
    .orderBy("registrations.registered_at")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    state: r.state as RecallState,
    tubeCode: r.tube_code,
    outcome: r.outcome as Outcome,
    resultRecordedAt: r.recorded_at,
    createdAt: r.created_at,
    siteCode: r.site_code,
    siteName: r.site_name,
    name: r.name,
    docType: r.doc_type as DocType,
    docNumber: r.doc_number,
    phone: r.phone,
    community: r.community,
    registeredAt: r.registered_at,
    staffName: r.staff_name ?? "",
    singleTubeCode: r.single_tube_code,
    singleOutcome: (r.single_outcome ?? null) as Outcome | null,
  }));
}

/** Staff reached the resident (by phone, at the door): to contact → contacted. Audited. */
export async function markContacted(
  db: Kysely<Database>,
  recallId: string,
  actor: { staffId: string; siteCode: string | null; labCode: string | null; role: string },
  note: string | undefined,
  now = new Date(),
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const recall = await trx
      .selectFrom("recalls")
      .innerJoin("results", "results.id", "recalls.result_id")
      .select(["recalls.id", "recalls.state", "recalls.site_code", "results.lab_code"])
      .where("recalls.id", "=", recallId)
      .executeTakeFirst();
    if (!recall) throw new ApiError(404, "unknown_recall", "There is no such recall entry.");
    const allowed =
      actor.role === "admin" ||
      (actor.siteCode !== null && actor.siteCode === recall.site_code) ||
      (actor.labCode !== null && actor.labCode === recall.lab_code);
    if (!allowed) throw new ApiError(403, "wrong_site", "This recall belongs to another site.");
    if (recall.state !== "to_contact") {
      throw new ApiError(409, "recall_state", `This resident is already ${recall.state.replace("_", " ")}.`);
    }
    const at = now.toISOString();
    await trx
      .updateTable("recalls")
      .set({ state: "contacted", updated_at: at, updated_by: actor.staffId })
      .where("id", "=", recallId)
      .execute();
    await audit(trx, {
      action: "recall_updated",
      actor: actor.staffId,
      siteCode: recall.site_code,
      subject: recallId,
      detail: { state: "contacted", ...(note ? { note } : {}) },
    });
  });
}
