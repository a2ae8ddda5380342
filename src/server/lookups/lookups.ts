/**
 * An admin's lookups, each by an index and each audited with who, what (the number masked) and why: a resident by
 * document number → their registrations (site, tube, time, result); a tube → its residents with phones; a box → its
 * tubes, handover and receipt. A district admin finds only what their district's sites hold.
 */
import type { Kysely } from "kysely";
import type { LookupAnswer, LookupRequest } from "../../domain/command";
import { maskDocumentNumber } from "../../domain/documents";
import { audit } from "../audit/audit";
import type { Database } from "../db/schema";

type Tube = LookupAnswer["tubes"][number];
type TubeInfo = Omit<Tube, "residents">;
type Resident = Tube["residents"][number];

const key = (site: string, code: string) => `${site}\u0000${code}`;

/** The tubes named (site and code), with their site's name and standing result; only sites in the district. */
async function tubesInfo(
  db: Kysely<Database>,
  wanted: { site: string; code: string }[],
  district: string | null,
): Promise<Map<string, TubeInfo>> {
  const found = new Map<string, TubeInfo>();
  if (wanted.length === 0) return found;
  let query = db
    .selectFrom("tubes as t")
    .innerJoin("sites as s", "s.code", "t.site_code")
    .leftJoin("results as r", (j) =>
      j.onRef("r.site_code", "=", "t.site_code").onRef("r.tube_code", "=", "t.code").on("r.current", "=", 1),
    )
    .select([
      "t.site_code",
      "s.name as site_name",
      "t.code",
      "t.status",
      "t.capacity",
      "t.opened_at",
      "t.sealed_at",
      "t.box_code",
      "r.outcome",
      "r.resulted_at",
      "r.lab_code",
    ])
    .where((eb) => eb.or(wanted.map((w) => eb.and([eb("t.site_code", "=", w.site), eb("t.code", "=", w.code)]))));
  if (district !== null) query = query.where("s.district", "=", district);
  for (const row of await query.execute()) {
    found.set(key(row.site_code, row.code), {
      siteCode: row.site_code,
      siteName: row.site_name,
      tubeCode: row.code,
      status: row.status,
      capacity: row.capacity,
      openedAt: row.opened_at,
      sealedAt: row.sealed_at,
      boxCode: row.box_code,
      result:
        row.outcome && row.resulted_at && row.lab_code
          ? { outcome: row.outcome, resultedAt: row.resulted_at, labCode: row.lab_code }
          : null,
    });
  }
  return found;
}

const residentOf = (r: {
  id: string;
  name: string;
  doc_type: string;
  doc_number: string;
  phone: string | null;
  community: string | null;
  registered_at: string;
  voided_at: string | null;
}): Resident => ({
  registrationId: r.id,
  name: r.name,
  docType: r.doc_type,
  docNumber: r.doc_number,
  phone: r.phone,
  community: r.community,
  registeredAt: r.registered_at,
  voided: r.voided_at !== null,
});

const REGISTRATION_COLUMNS = [
  "id",
  "site_code",
  "tube_code",
  "name",
  "doc_type",
  "doc_number",
  "phone",
  "community",
  "registered_at",
  "voided_at",
] as const;

/** At most this many rows per answer: a lookup is about one person, tube or box. */
const LIMIT = 500;

export async function lookup(
  db: Kysely<Database>,
  viewer: { staffId: string; district: string | null },
  request: LookupRequest,
): Promise<LookupAnswer> {
  const answer: LookupAnswer = { kind: request.kind, registrations: [], tubes: [], boxes: [] };
  const code = request.code.toUpperCase();
  if (request.kind === "resident") {
    let query = db.selectFrom("registrations").select(REGISTRATION_COLUMNS).where("doc_number", "=", code);
    if (request.site) query = query.where("site_code", "=", request.site);
    const rows = await query.orderBy("registered_at", "desc").limit(LIMIT).execute();
    const tubes = await tubesInfo(
      db,
      rows.map((r) => ({ site: r.site_code, code: r.tube_code })),
      viewer.district,
    );
    for (const r of rows) {
      const tube = tubes.get(key(r.site_code, r.tube_code));
      if (tube) answer.registrations.push({ ...residentOf(r), tube });
    }
  } else if (request.kind === "tube") {
    let query = db.selectFrom("tubes").select(["site_code", "code"]).where("code", "=", code);
    if (request.site) query = query.where("site_code", "=", request.site);
    const matches = await query.limit(LIMIT).execute();
    const tubes = await tubesInfo(
      db,
      matches.map((m) => ({ site: m.site_code, code: m.code })),
      viewer.district,
    );
    for (const tube of tubes.values()) {
      const residents = await db
        .selectFrom("registrations")
        .select(REGISTRATION_COLUMNS)
        .where("site_code", "=", tube.siteCode)
        .where("tube_code", "=", tube.tubeCode)
        .orderBy("registered_at")
        .limit(LIMIT)
        .execute();
      answer.tubes.push({ ...tube, residents: residents.map(residentOf) });
    }
  } else {
    let query = db
      .selectFrom("boxes as b")
      .innerJoin("sites as s", "s.code", "b.site_code")
      .leftJoin("box_receipts as r", (j) =>
        j.onRef("r.site_code", "=", "b.site_code").onRef("r.box_code", "=", "b.code"),
      )
      .select([
        "b.site_code",
        "s.name as site_name",
        "b.code",
        "b.status",
        "b.opened_at",
        "b.closed_at",
        "b.handed_over_at",
        "b.courier_name",
        "b.courier_phone",
        "b.vehicle_plate",
        "b.destination_lab",
        "r.lab_code",
        "r.received_at",
        "r.received_by",
      ])
      .where("b.code", "=", code);
    if (request.site) query = query.where("b.site_code", "=", request.site);
    if (viewer.district !== null) query = query.where("s.district", "=", viewer.district);
    for (const box of await query.limit(LIMIT).execute()) {
      const inBox = await db
        .selectFrom("tubes")
        .select(["site_code", "code"])
        .where("site_code", "=", box.site_code)
        .where("box_code", "=", box.code)
        .limit(LIMIT)
        .execute();
      const tubes = await tubesInfo(
        db,
        inBox.map((t) => ({ site: t.site_code, code: t.code })),
        viewer.district,
      );
      answer.boxes.push({
        siteCode: box.site_code,
        siteName: box.site_name,
        boxCode: box.code,
        status: box.status,
        openedAt: box.opened_at,
        closedAt: box.closed_at,
        handedOverAt: box.handed_over_at,
        courierName: box.courier_name,
        courierPhone: box.courier_phone,
        vehiclePlate: box.vehicle_plate,
        destinationLab: box.destination_lab,
        receipt:
          box.lab_code && box.received_at && box.received_by
            ? { labCode: box.lab_code, receivedAt: box.received_at, receivedBy: box.received_by }
            : null,
        tubes: [...tubes.values()].sort((a, b) => (a.tubeCode < b.tubeCode ? -1 : 1)),
      });
    }
  }
  const found = answer.registrations.length + answer.tubes.length + answer.boxes.length;
  await audit(db, {
    action: "admin_lookup",
    actor: viewer.staffId,
    siteCode: request.site ?? null,
    subject: request.kind === "resident" ? maskDocumentNumber(code) : code,
    detail: {
      kind: request.kind,
      reason: request.reason,
      found,
      ...(viewer.district ? { district: viewer.district } : {}),
    },
  });
  return answer;
}
