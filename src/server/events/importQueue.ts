/**
 * Imports a device's exported queue (the escape hatch): its events go through the same group commit as a push, in
 * push-sized batches and in order, under the device's identity — so the result is exactly once, as if the device had
 * pushed them: events the server has are duplicates, a second import of the same file changes nothing, and the
 * device's own later sync is answered "duplicate" for them.
 */
import { type SampleEvent, SampleEventSchema } from "../../domain/events";
import { checksumMatches, type ExportFile, ExportFileSchema } from "../../domain/exportFile";
import { MAX_PUSH_EVENTS } from "../../domain/limits";
import type { EventRejection, ImportResponse } from "../../domain/protocol";
import { audit } from "../audit/audit";
import type { Store } from "../db";
import { ApiError } from "../errors";
import { findSite } from "../sites/sites";
import { chunks } from "./chunks";
import type { GroupCommitter } from "./groupCommit";

/** Rejections listed in the answer (all are counted). */
const LISTED_REJECTIONS = 100;

export async function importQueue(
  store: Pick<Store, "db">,
  committer: GroupCommitter,
  raw: unknown,
  actor: string,
): Promise<ImportResponse> {
  const parsed = ExportFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(
      400,
      "invalid_export",
      `Not a SamplePoint export file: ${issue?.path.join(".")}: ${issue?.message}`,
    );
  }
  const file: ExportFile = parsed.data;
  if (!checksumMatches(file)) {
    throw new ApiError(
      400,
      "checksum_mismatch",
      "The file's checksum does not match its content: it was damaged or edited.",
    );
  }
  const stranger = file.events.findIndex((event) => {
    const { siteCode, deviceId } = (event ?? {}) as { siteCode?: unknown; deviceId?: unknown };
    return siteCode !== file.siteCode || deviceId !== file.deviceId;
  });
  if (stranger >= 0) {
    throw new ApiError(400, "export_mismatch", `Event ${stranger} is not of the file's site and device.`);
  }
  if (!(await findSite(store.db, file.siteCode))) {
    throw new ApiError(404, "unknown_site", `No site ${file.siteCode} on this server.`);
  }
  // Every event is checked before anything is written: a file with one bad event is refused whole, with its place.
  const events: SampleEvent[] = [];
  for (const [index, raw] of file.events.entries()) {
    const event = SampleEventSchema.safeParse(raw);
    if (!event.success) {
      const issue = event.error.issues[0];
      throw new ApiError(
        400,
        "invalid_event",
        `Event ${index} is not valid: ${issue?.path.join(".")}: ${issue?.message}`,
        {
          index,
        },
      );
    }
    events.push(event.data);
  }
  // The device's events keep their author; each author must be staff of that site.
  const authors = [...new Set(events.map((event) => event.staffId))];
  const known = new Set(
    authors.length === 0
      ? []
      : (
          await store.db
            .selectFrom("staff")
            .select("id")
            .where("site_code", "=", file.siteCode)
            .where("id", "in", authors)
            .execute()
        ).map((row) => row.id),
  );
  const unknownAuthor = authors.find((author) => !known.has(author));
  if (unknownAuthor !== undefined) {
    throw new ApiError(
      400,
      "unknown_staff",
      `The file names staff ${unknownAuthor}, who is not staff of site ${file.siteCode}.`,
    );
  }
  const staffId = events[0]?.staffId;
  // The device signed in here once; after a restore from an old backup its row may be missing: the mark starts at 0.
  await store.db
    .insertInto("devices")
    .values({
      id: file.deviceId,
      site_code: file.siteCode,
      staff_id: staffId ?? actor,
      last_seq: 0,
      last_seen_at: new Date().toISOString(),
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();

  const auth = {
    deviceId: file.deviceId,
    siteCode: file.siteCode,
    staffId: actor,
    role: "admin" as const,
    labCode: null,
    district: null,
    username: actor,
  };
  const outcome: ImportResponse = {
    deviceId: file.deviceId,
    siteCode: file.siteCode,
    events: file.events.length,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    mark: 0,
    rejections: [],
  };
  // Push-sized batches in order; an empty file is one empty batch (it still answers with the device's mark).
  const batches = file.events.length === 0 ? [[]] : [...chunks(file.events, MAX_PUSH_EVENTS)];
  let start = 0;
  for (const batch of batches) {
    const { results, mark } = await committer.push({ auth, rawEvents: batch, now: new Date() });
    outcome.mark = mark;
    for (const result of results) {
      if (result.status === "accepted") outcome.accepted++;
      else if (result.status === "duplicate") outcome.duplicates++;
      else {
        outcome.rejected++;
        if (outcome.rejections.length < LISTED_REJECTIONS) {
          outcome.rejections.push({
            index: start + result.index,
            id: result.id,
            code: result.code as EventRejection,
            message: result.message,
          });
        }
      }
    }
    start += batch.length;
  }
  await audit(store.db, {
    action: "queue_imported",
    actor,
    siteCode: file.siteCode,
    subject: file.deviceId,
    detail: {
      checksum: file.checksum,
      exportedAt: file.exportedAt,
      events: outcome.events,
      accepted: outcome.accepted,
      duplicates: outcome.duplicates,
      rejected: outcome.rejected,
      mark: outcome.mark,
    },
  });
  return outcome;
}
