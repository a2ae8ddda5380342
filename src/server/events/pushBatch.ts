/**
 * Applies one pushed batch: every event validated on its own, all accepted events stored and projected in one
 * transaction together with the device's high-water mark. Idempotent by event id: the same event again is a duplicate,
 * a different body under a known id is a conflict.
 */
import type { Transaction } from "kysely";
import type { z } from "zod";
import { canonicalEventJson, type SampleEvent, SampleEventSchema } from "../../domain/events";
import type { EventRejection, PushResult } from "../../domain/protocol";
import type { Authenticated } from "../auth/tokens";
import type { Store } from "../db";
import type { Database } from "../db/schema";
import { projectEvent } from "./projectEvent";

const rejected = (index: number, id: string | null, code: EventRejection, message: string): PushResult => ({
  index,
  id,
  status: "rejected",
  code,
  message,
});

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(event)"}: ${issue.message}`)
    .join("; ");
}

const idOf = (raw: unknown): string | null =>
  raw && typeof raw === "object" && typeof (raw as { id?: unknown }).id === "string"
    ? ((raw as { id: string }).id as string)
    : null;

export async function pushBatch(
  { db, dialect }: Pick<Store, "db" | "dialect">,
  auth: Authenticated,
  rawEvents: unknown[],
  now = new Date(),
): Promise<PushResult[]> {
  const receivedAt = now.toISOString();
  return db.transaction().execute(async (trx) => {
    // Several server processes share one PostgreSQL: a device's batches (a retry sent to another process while the
    // first is still working, say) take turns on the device's row, so each sees what the other committed.
    // SQLite has one writer at a time already.
    if (dialect === "postgres") {
      await trx.selectFrom("devices").select("id").where("id", "=", auth.deviceId).forUpdate().execute();
    }
    const results: PushResult[] = [];
    const inBatch = new Map<string, string>();
    const staffKnown = new Map<string, boolean>();
    let highestSeq = 0;

    for (const [index, raw] of rawEvents.entries()) {
      const id = idOf(raw);
      const parsed = SampleEventSchema.safeParse(raw);
      if (!parsed.success) {
        results.push(rejected(index, id, "invalid_event", describeIssues(parsed.error)));
        continue;
      }
      const event = parsed.data;
      const body = canonicalEventJson(event);

      const earlier = inBatch.get(event.id);
      if (earlier !== undefined) {
        results.push(
          earlier === body
            ? { index, id: event.id, status: "duplicate" }
            : rejected(index, event.id, "event_conflict", "Another event with this id is in the same batch."),
        );
        continue;
      }
      inBatch.set(event.id, body);

      const problem = await scopeProblem(trx, auth, event, staffKnown);
      if (problem) {
        results.push(rejected(index, event.id, problem.code, problem.message));
        continue;
      }

      const stored = await trx.selectFrom("events").select(["body"]).where("id", "=", event.id).executeTakeFirst();
      if (stored) {
        results.push(
          stored.body === body
            ? { index, id: event.id, status: "duplicate" }
            : rejected(
                index,
                event.id,
                "event_conflict",
                "An event with this id was already stored with a different body.",
              ),
        );
        continue;
      }
      const seqTaken = await trx
        .selectFrom("events")
        .select(["id"])
        .where("device_id", "=", event.deviceId)
        .where("seq", "=", event.seq)
        .executeTakeFirst();
      if (seqTaken) {
        results.push(
          rejected(
            index,
            event.id,
            "event_conflict",
            `Sequence number ${event.seq} of this device belongs to another event.`,
          ),
        );
        continue;
      }

      await trx
        .insertInto("events")
        .values({
          id: event.id,
          site_code: event.siteCode,
          device_id: event.deviceId,
          seq: event.seq,
          staff_id: event.staffId,
          type: event.type,
          occurred_at: event.occurredAt,
          received_at: receivedAt,
          body,
        })
        .execute();
      await projectEvent(trx, event);
      highestSeq = Math.max(highestSeq, event.seq);
      results.push({ index, id: event.id, status: "accepted" });
    }

    await trx.updateTable("devices").set({ last_seen_at: receivedAt }).where("id", "=", auth.deviceId).execute();
    await trx
      .updateTable("devices")
      .set({ last_seq: highestSeq })
      .where("id", "=", auth.deviceId)
      .where("last_seq", "<", highestSeq)
      .execute();
    return results;
  });
}

async function scopeProblem(
  trx: Transaction<Database>,
  auth: Authenticated,
  event: SampleEvent,
  staffKnown: Map<string, boolean>,
): Promise<{ code: EventRejection; message: string } | null> {
  if (event.siteCode !== auth.siteCode) {
    return { code: "wrong_site", message: `This token may only push events of site ${auth.siteCode}.` };
  }
  if (event.deviceId !== auth.deviceId) {
    return { code: "wrong_device", message: "The event was made on another device than this token's." };
  }
  let known = staffKnown.get(event.staffId);
  if (known === undefined) {
    const row = await trx
      .selectFrom("staff")
      .select("id")
      .where("id", "=", event.staffId)
      .where("site_code", "=", auth.siteCode)
      .executeTakeFirst();
    known = row !== undefined;
    staffKnown.set(event.staffId, known);
  }
  if (!known) return { code: "unknown_staff", message: "The event names a staff member this site does not have." };
  return null;
}
