/**
 * The server's projection of events into the tubes and registrations tables, run inside the push transaction.
 * Mirrors the domain projection (src/domain/projection.ts): events are facts, so nothing here refuses one.
 */
import { randomUUID } from "node:crypto";
import { type Insertable, sql, type Transaction } from "kysely";
import type { SampleEvent } from "../../domain/events";
import { audit } from "../audit/audit";
import type { StoreKind } from "../db";
import { insertRows } from "../db/insertRows";
import type { Database } from "../db/schema";
import { chunks, LOOKUP_CHUNK } from "./chunks";

type TubeRow = Insertable<Database["tubes"]>;
type RegistrationRow = Insertable<Database["registrations"]>;
type BoxRow = Insertable<Database["boxes"]>;

const tubeRow = (event: SampleEvent, code: string, capacity: number): TubeRow => ({
  site_code: event.siteCode,
  code,
  capacity,
  status: "open",
  opened_at: event.occurredAt,
  opened_by_device: event.deviceId,
  sealed_at: null,
  sealed_count: null,
  short: 0,
  box_code: null,
  transferred_to: null,
  void_reason: null,
});

function registrationRow(event: SampleEvent & { type: "registration.added" }): RegistrationRow {
  const r = event.payload.resident;
  return {
    id: event.payload.registrationId,
    site_code: event.siteCode,
    tube_code: event.payload.tubeCode,
    name: r.name,
    doc_type: r.docType,
    doc_number: r.docNumber,
    phone: r.phone ?? null,
    community: r.community ?? null,
    registered_at: event.occurredAt,
    device_id: event.deviceId,
    staff_id: event.staffId,
    event_id: event.id,
    voided_at: null,
    void_reason: null,
    repeat_reason: event.payload.repeatReason ?? null,
  };
}

const boxRow = (event: SampleEvent & { type: "box.opened" }): BoxRow => ({
  site_code: event.siteCode,
  code: event.payload.boxCode,
  status: "open",
  opened_at: event.occurredAt,
  opened_by_device: event.deviceId,
  closed_at: null,
  tube_count: null,
  handed_over_at: null,
  courier_name: null,
  courier_phone: null,
  vehicle_plate: null,
});

/**
 * New tubes, registrations and boxes (a first tube.opened wins; a repeat is a conflict for the conflict views, not an
 * error), inserted many rows per statement. Returns the tubes actually inserted.
 */
async function insertProjection(
  trx: Transaction<Database>,
  dialect: StoreKind,
  tubes: TubeRow[],
  registrations: RegistrationRow[],
  boxes: BoxRow[],
): Promise<Set<string>> {
  const inserted = await insertRows(trx, dialect, "tubes", tubes, {
    onConflictDoNothing: ["site_code", "code"],
    returning: ["site_code", "code"],
  });
  await insertRows(trx, dialect, "registrations", registrations, { onConflictDoNothing: ["id"] });
  await insertRows(trx, dialect, "boxes", boxes, { onConflictDoNothing: ["site_code", "code"] });
  await recallLateRegistrations(trx, dialect, registrations);
  return new Set(inserted.map((row) => tubeKey(row.site_code as string, row.code as string)));
}

/**
 * Projects a batch's accepted events in order. Runs of inserts (opened tubes and boxes, added registrations) go to the
 * store together; they are flushed before any event that reads or updates rows, so the order of effects is the
 * events' order. A tube sealed in the batch that opened it is sealed in the row about to be inserted (no UPDATE); seals
 * of tubes opened earlier are gathered and written by one UPDATE at the flush (a seal touches only its tube's row,
 * which no insert of the run reads). If a sealed tube existed already (opened twice: the first wins), the seal is
 * applied to the stored tube, as it would have been.
 */
export async function projectEvents(
  trx: Transaction<Database>,
  dialect: StoreKind,
  events: SampleEvent[],
): Promise<void> {
  let tubes = new Map<string, TubeRow>();
  let sealedInBuffer: SealEvent[] = [];
  let storedSeals = new Map<string, SealEvent>();
  let registrations: RegistrationRow[] = [];
  let boxes: BoxRow[] = [];
  const recallTubes: (SampleEvent & { type: "tube.opened" })[] = [];
  const flush = async () => {
    if (tubes.size + registrations.length + boxes.length + storedSeals.size === 0) return;
    const inserted = await insertProjection(trx, dialect, [...tubes.values()], registrations, boxes);
    // The seal of a tube opened twice (the first, stored one wins) belongs to the stored tube.
    for (const seal of sealedInBuffer) {
      if (!inserted.has(sealKey(seal))) storedSeals.set(sealKey(seal), seal);
    }
    await sealStoredTubes(trx, [...storedSeals.values()]);
    tubes = new Map();
    sealedInBuffer = [];
    storedSeals = new Map();
    registrations = [];
    boxes = [];
  };
  for (const event of events) {
    if (event.type === "tube.opened") {
      // A tube opened after a gathered seal of its code (out of order): keep the order of effects.
      const key = tubeKey(event.siteCode, event.payload.tubeCode);
      if (storedSeals.has(key)) await flush();
      if (!tubes.has(key)) tubes.set(key, tubeRow(event, event.payload.tubeCode, event.payload.capacity));
      if (event.payload.recallId) recallTubes.push(event);
    } else if (event.type === "registration.added") registrations.push(registrationRow(event));
    else if (event.type === "box.opened") boxes.push(boxRow(event));
    else if (event.type === "tube.sealed") {
      const buffered = tubes.get(sealKey(event));
      if (buffered) {
        Object.assign(buffered, sealedColumns(event));
        sealedInBuffer.push(event);
      } else {
        // The later of two seals of one tube wins, as one UPDATE after another would.
        storedSeals.delete(sealKey(event));
        storedSeals.set(sealKey(event), event);
      }
    } else {
      await flush();
      await projectEvent(trx, dialect, event);
    }
  }
  await flush();
  await linkRecallTubes(trx, recallTubes);
}

/**
 * Registrations uploaded after their pooled tube was found positive (or invalid): they join its recall list, as if
 * they had been there when the result came (one indexed lookup per group of registrations).
 */
async function recallLateRegistrations(
  trx: Transaction<Database>,
  dialect: StoreKind,
  registrations: RegistrationRow[],
): Promise<void> {
  if (registrations.length === 0) return;
  const codes = [...new Set(registrations.map((r) => r.tube_code))];
  const standing = new Map<string, string>();
  for (const chunk of chunks(codes, LOOKUP_CHUNK)) {
    for (const row of await trx
      .selectFrom("results")
      .innerJoin("tubes", (j) =>
        j.onRef("tubes.site_code", "=", "results.site_code").onRef("tubes.code", "=", "results.tube_code"),
      )
      .select(["results.id", "results.site_code", "results.tube_code"])
      .where("results.tube_code", "in", chunk)
      .where("results.current", "=", 1)
      .where("results.outcome", "in", ["positive", "invalid"])
      .where("tubes.capacity", ">", 1)
      .execute()) {
      standing.set(tubeKey(row.site_code, row.tube_code), row.id);
    }
  }
  if (standing.size === 0) return;
  const now = new Date().toISOString();
  const rows = registrations.flatMap((r) => {
    const resultId = standing.get(tubeKey(r.site_code, r.tube_code));
    return resultId
      ? [
          {
            id: randomUUID(),
            site_code: r.site_code,
            tube_code: r.tube_code,
            result_id: resultId,
            registration_id: r.id,
            doc_number: r.doc_number,
            state: "to_contact",
            created_at: now,
            updated_at: now,
            updated_by: r.staff_id,
            single_tube_code: null,
            single_result_id: null,
          },
        ]
      : [];
  });
  await insertRows(trx, dialect, "recalls", rows, { onConflictDoNothing: ["result_id", "registration_id"] });
}

/**
 * A single-person tube opened for a recalled resident: the recall is re-sampled, in that tube (the first such tube
 * wins; a recall of another site is not touched). Its result later closes the recall (labs/results.ts).
 */
async function linkRecallTubes(trx: Transaction<Database>, opened: (SampleEvent & { type: "tube.opened" })[]) {
  for (const event of opened) {
    await trx
      .updateTable("recalls")
      .set({
        state: "resampled",
        single_tube_code: event.payload.tubeCode,
        updated_at: event.occurredAt,
        updated_by: event.staffId,
      })
      .where("id", "=", event.payload.recallId as string)
      .where("site_code", "=", event.siteCode)
      .where("single_tube_code", "is", null)
      .execute();
  }
}

type SealEvent = SampleEvent & { type: "tube.sealed" };
/** Tube codes are unique within a site; a group commit projects several sites' events together. */
const tubeKey = (siteCode: string, tubeCode: string) => `${siteCode}\u0000${tubeCode}`;
const sealKey = (seal: SealEvent) => tubeKey(seal.siteCode, seal.payload.tubeCode);

/** Seals stored tubes, many per statement: UPDATE … FROM (VALUES …), the same on SQLite and PostgreSQL. */
async function sealStoredTubes(trx: Transaction<Database>, seals: SealEvent[]): Promise<void> {
  for (const chunk of chunks(seals)) {
    const values = sql.join(
      chunk.map((seal) => {
        const { status, sealed_at, sealed_count, short } = sealedColumns(seal);
        return sql`(${seal.siteCode}, ${seal.payload.tubeCode}, ${status}, ${sealed_at}, ${sealed_count}, ${short})`;
      }),
    );
    // VALUES columns are named column1, column2, … on both stores; parameters arrive untyped, hence the casts.
    await sql`
      UPDATE tubes SET
        status = v.column3,
        sealed_at = v.column4,
        sealed_count = CAST(v.column5 AS integer),
        short = CAST(v.column6 AS integer)
      FROM (VALUES ${values}) AS v
      WHERE tubes.site_code = v.column1 AND tubes.code = v.column2`.execute(trx);
  }
}

const sealedColumns = (event: SampleEvent & { type: "tube.sealed" }) => ({
  status: "sealed",
  sealed_at: event.occurredAt,
  sealed_count: event.payload.count,
  short: event.payload.short ? 1 : 0,
});

/** Projects one event. */
async function projectEvent(trx: Transaction<Database>, dialect: StoreKind, event: SampleEvent): Promise<void> {
  switch (event.type) {
    case "tube.opened":
      await insertProjection(trx, dialect, [tubeRow(event, event.payload.tubeCode, event.payload.capacity)], [], []);
      return;
    case "registration.added":
      await insertProjection(trx, dialect, [], [registrationRow(event)], []);
      return;
    case "registration.voided":
      await audit(trx, {
        action: "registration_voided",
        actor: event.staffId,
        siteCode: event.siteCode,
        subject: event.payload.registrationId,
        detail: { tubeCode: event.payload.tubeCode, reason: event.payload.reason, deviceId: event.deviceId },
        at: event.occurredAt,
      });
      await trx
        .updateTable("registrations")
        .set({ voided_at: event.occurredAt, void_reason: event.payload.reason })
        .where("id", "=", event.payload.registrationId)
        .where("site_code", "=", event.siteCode)
        .where("voided_at", "is", null)
        .execute();
      return;
    case "tube.sealed":
      await sealStoredTubes(trx, [event]);
      return;
    case "tube.abandoned": {
      const { tubeCode, reason } = event.payload;
      await audit(trx, {
        action: "tube_abandoned",
        actor: event.staffId,
        siteCode: event.siteCode,
        subject: tubeCode,
        detail: { reason, deviceId: event.deviceId },
        at: event.occurredAt,
      });
      // Only an open tube with no active registration (the device decides so; one with people stays as it is).
      await trx
        .updateTable("tubes")
        .set({ status: "void", void_reason: reason })
        .where("site_code", "=", event.siteCode)
        .where("code", "=", tubeCode)
        .where("status", "=", "open")
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom("registrations")
                .select("registrations.id")
                .where("registrations.site_code", "=", event.siteCode)
                .where("registrations.tube_code", "=", tubeCode)
                .where("registrations.voided_at", "is", null),
            ),
          ),
        )
        .execute();
      return;
    }
    case "tube.transferred": {
      const { fromTubeCode, toTubeCode, reason } = event.payload;
      await audit(trx, {
        action: "tube_transferred",
        actor: event.staffId,
        siteCode: event.siteCode,
        subject: fromTubeCode,
        detail: { toTubeCode, reason, deviceId: event.deviceId },
        at: event.occurredAt,
      });
      const from = await trx
        .selectFrom("tubes")
        .select(["capacity"])
        .where("site_code", "=", event.siteCode)
        .where("code", "=", fromTubeCode)
        .executeTakeFirst();
      if (!from) return;
      await insertProjection(trx, dialect, [tubeRow(event, toTubeCode, from.capacity)], [], []);
      await trx
        .updateTable("registrations")
        .set({ tube_code: toTubeCode })
        .where("site_code", "=", event.siteCode)
        .where("tube_code", "=", fromTubeCode)
        .where("voided_at", "is", null)
        .execute();
      await trx
        .updateTable("tubes")
        .set({ status: "void", transferred_to: toTubeCode, void_reason: reason })
        .where("site_code", "=", event.siteCode)
        .where("code", "=", fromTubeCode)
        .execute();
      return;
    }
    case "box.opened":
      await insertProjection(trx, dialect, [], [], [boxRow(event)]);
      return;
    case "box.tube_added":
      // A tube stays in the first box it was put in (a second box is a conflict, not a move).
      await trx
        .updateTable("tubes")
        .set({ box_code: event.payload.boxCode })
        .where("site_code", "=", event.siteCode)
        .where("code", "=", event.payload.tubeCode)
        .where("box_code", "is", null)
        .execute();
      return;
    case "box.closed":
      await trx
        .updateTable("boxes")
        .set({ status: "closed", closed_at: event.occurredAt, tube_count: event.payload.tubeCount })
        .where("site_code", "=", event.siteCode)
        .where("code", "=", event.payload.boxCode)
        .where("status", "=", "open")
        .execute();
      return;
    case "box.handed_over":
      await trx
        .updateTable("boxes")
        .set({
          status: "handed_over",
          handed_over_at: event.occurredAt,
          courier_name: event.payload.courierName,
          courier_phone: event.payload.courierPhone,
          vehicle_plate: event.payload.vehiclePlate ?? null,
          destination_lab: event.payload.labCode ?? null,
        })
        .where("site_code", "=", event.siteCode)
        .where("code", "=", event.payload.boxCode)
        .execute();
      return;
    case "quarantine.resolved": {
      const { eventId, decision, reason, rejectionCode, replacementId } = event.payload;
      await audit(trx, {
        action: `quarantine_${decision}`,
        actor: event.staffId,
        siteCode: event.siteCode,
        subject: eventId,
        detail: { reason, rejectionCode, deviceId: event.deviceId, ...(replacementId ? { replacementId } : {}) },
        at: event.occurredAt,
      });
      return;
    }
  }
}
