/**
 * The server's projection of events into the tubes and registrations tables, run inside the push transaction.
 * Mirrors the domain projection (src/domain/projection.ts): events are facts, so nothing here refuses one.
 */
import type { Insertable, Transaction } from "kysely";
import type { SampleEvent } from "../../domain/events";
import { audit } from "../audit/audit";
import type { Database } from "../db/schema";

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

/** Rows per multi-row insert: well inside SQLite's and PostgreSQL's bound-parameter limits. */
const INSERT_CHUNK = 200;

/**
 * New tubes, registrations and boxes (a first tube.opened wins; a repeat is a conflict for the conflict views, not an
 * error), inserted many rows per statement.
 */
async function insertRows(
  trx: Transaction<Database>,
  tubes: TubeRow[],
  registrations: RegistrationRow[],
  boxes: BoxRow[],
) {
  const insertedTubes = new Set<string>();
  for (const chunk of chunks(tubes)) {
    const rows = await trx
      .insertInto("tubes")
      .values(chunk)
      .onConflict((oc) => oc.columns(["site_code", "code"]).doNothing())
      .returning("code")
      .execute();
    for (const row of rows) insertedTubes.add(row.code);
  }
  for (const chunk of chunks(registrations)) {
    await trx
      .insertInto("registrations")
      .values(chunk)
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  }
  for (const chunk of chunks(boxes)) {
    await trx
      .insertInto("boxes")
      .values(chunk)
      .onConflict((oc) => oc.columns(["site_code", "code"]).doNothing())
      .execute();
  }
  return insertedTubes;
}

/** Slices of at most INSERT_CHUNK rows, for multi-row inserts. */
export function* chunks<T>(rows: T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) yield rows.slice(i, i + INSERT_CHUNK);
}

/**
 * Projects a batch's accepted events in order. Runs of inserts (opened tubes and boxes, added registrations) go to the
 * store together; they are flushed before any event that reads or updates rows, so the order of effects is the
 * events' order. A tube sealed in the batch that opened it is sealed in the row about to be inserted (no flush, no
 * UPDATE): a batch of whole tubes is then two multi-row inserts. If that tube existed already (opened twice: the
 * first wins), the seal is applied to the stored tube, as it would have been.
 */
export async function projectEvents(trx: Transaction<Database>, events: SampleEvent[]): Promise<void> {
  let tubes = new Map<string, TubeRow>();
  let sealedInBuffer: SampleEvent[] = [];
  let registrations: RegistrationRow[] = [];
  let boxes: BoxRow[] = [];
  const flush = async () => {
    if (tubes.size + registrations.length + boxes.length === 0) return;
    const inserted = await insertRows(trx, [...tubes.values()], registrations, boxes);
    for (const seal of sealedInBuffer) {
      if (seal.type === "tube.sealed" && !inserted.has(seal.payload.tubeCode)) await projectEvent(trx, seal);
    }
    tubes = new Map();
    sealedInBuffer = [];
    registrations = [];
    boxes = [];
  };
  for (const event of events) {
    if (event.type === "tube.opened") {
      if (!tubes.has(event.payload.tubeCode)) {
        tubes.set(event.payload.tubeCode, tubeRow(event, event.payload.tubeCode, event.payload.capacity));
      }
    } else if (event.type === "registration.added") registrations.push(registrationRow(event));
    else if (event.type === "box.opened") boxes.push(boxRow(event));
    else if (event.type === "tube.sealed" && tubes.has(event.payload.tubeCode)) {
      Object.assign(tubes.get(event.payload.tubeCode) as TubeRow, sealedColumns(event));
      sealedInBuffer.push(event);
    } else {
      await flush();
      await projectEvent(trx, event);
    }
  }
  await flush();
}

const sealedColumns = (event: SampleEvent & { type: "tube.sealed" }) => ({
  status: "sealed",
  sealed_at: event.occurredAt,
  sealed_count: event.payload.count,
  short: event.payload.short ? 1 : 0,
});

/** Projects one event. */
export async function projectEvent(trx: Transaction<Database>, event: SampleEvent): Promise<void> {
  switch (event.type) {
    case "tube.opened":
      await insertRows(trx, [tubeRow(event, event.payload.tubeCode, event.payload.capacity)], [], []);
      return;
    case "registration.added":
      await insertRows(trx, [], [registrationRow(event)], []);
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
      await trx
        .updateTable("tubes")
        .set(sealedColumns(event))
        .where("site_code", "=", event.siteCode)
        .where("code", "=", event.payload.tubeCode)
        .execute();
      return;
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
      await insertRows(trx, [tubeRow(event, toTubeCode, from.capacity)], [], []);
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
      await insertRows(trx, [], [], [boxRow(event)]);
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
