/**
 * Receiving a transfer box at a lab: the box's tube list as the server holds it, and the receipt — the tubes scanned
 * at the bench (or the count confirmed) against the box, with missing, extra, voided and not-yet-uploaded tubes
 * flagged. A receipt is written once, with its report, in one transaction with the tube receipts and the audit row;
 * a box received again is a no-op that answers the first report.
 */
import type { Kysely, Transaction } from "kysely";
import type { BoxForLab, BoxTube, ReceiptReport } from "../../domain/labs";
import { audit } from "../audit/audit";
import type { StoreKind } from "../db";
import { insertRows } from "../db/insertRows";
import type { Database } from "../db/schema";
import { ApiError } from "../errors";
import { chunks, LOOKUP_CHUNK } from "../events/chunks";

type Db = Kysely<Database> | Transaction<Database>;

/** The box with this code: at `siteCode` when given; a code two sites used needs the site (409 ambiguous_box). */
export async function findBoxByCode(db: Db, boxCode: string, siteCode?: string) {
  let query = db
    .selectFrom("boxes")
    .innerJoin("sites", "sites.code", "boxes.site_code")
    // A destination typed at handover that names no lab is no destination (a typo must not lock the box out).
    .leftJoin("labs", "labs.code", "boxes.destination_lab")
    .select([
      "boxes.site_code",
      "boxes.code",
      "boxes.status",
      "boxes.handed_over_at",
      "labs.code as destination_lab",
      "sites.name as site_name",
    ])
    .where("boxes.code", "=", boxCode);
  if (siteCode) query = query.where("boxes.site_code", "=", siteCode);
  const boxes = await query.limit(10).execute();
  if (boxes.length === 0) {
    throw new ApiError(
      404,
      "unknown_box",
      `No box ${boxCode} is on the server: it is not uploaded yet, or the code is wrong.`,
    );
  }
  if (boxes.length > 1) {
    throw new ApiError(409, "ambiguous_box", `Box code ${boxCode} was used at several sites: name the site.`, {
      sites: boxes.map((b) => b.site_code),
    });
  }
  return boxes[0] as (typeof boxes)[number];
}

/** A box whose handover is not on the server yet cannot be looked at or received by a lab. */
function checkHandedOver(box: { code: string; status: string }): void {
  if (box.status !== "handed_over") {
    throw new ApiError(
      409,
      "box_not_handed_over",
      `Box ${box.code} is ${box.status} on the server: its handover is not uploaded yet.`,
    );
  }
}

/** The box's receipt if it was received before (by this lab: another's is 403), answered as "already received". */
async function earlierReceipt(
  db: Db,
  box: { site_code: string; code: string; destination_lab: string | null },
  labCode: string,
): Promise<ReceiptReport | undefined> {
  const previous = await db
    .selectFrom("box_receipts")
    .select(["lab_code", "report"])
    .where("site_code", "=", box.site_code)
    .where("box_code", "=", box.code)
    .executeTakeFirst();
  checkBoxVisible(box, previous, labCode);
  return previous ? { ...(JSON.parse(previous.report) as ReceiptReport), alreadyReceived: true } : undefined;
}

/** A lab may see a box handed to it, one handed to no lab in particular, and one it received. */
export function checkBoxVisible(
  box: { destination_lab: string | null },
  receipt: { lab_code: string } | undefined,
  labCode: string,
): void {
  if (receipt && receipt.lab_code !== labCode) {
    throw new ApiError(403, "received_elsewhere", `This box was received by lab ${receipt.lab_code}.`);
  }
  if (!receipt && box.destination_lab && box.destination_lab !== labCode) {
    throw new ApiError(403, "other_lab", `This box was handed over for lab ${box.destination_lab}.`, {
      destinationLab: box.destination_lab,
    });
  }
}

async function boxTubes(db: Db, siteCode: string, boxCode: string): Promise<BoxTube[]> {
  const tubes = await db
    .selectFrom("tubes")
    .select(["code", "status", "sealed_count", "opened_by_device"])
    .where("site_code", "=", siteCode)
    .where("box_code", "=", boxCode)
    .orderBy("code")
    .execute();
  const codes = tubes.map((t) => t.code);
  const counts = new Map<string, { all: number; voided: number }>();
  const received = new Set<string>();
  for (const chunk of chunks(codes, LOOKUP_CHUNK)) {
    for (const row of await db
      .selectFrom("registrations")
      .select([
        "tube_code",
        (eb) => eb.fn.countAll<number>().as("all"),
        (eb) => eb.fn.count<number>("voided_at").as("voided"),
      ])
      .where("site_code", "=", siteCode)
      .where("tube_code", "in", chunk)
      .groupBy("tube_code")
      .execute()) {
      counts.set(row.tube_code, { all: Number(row.all), voided: Number(row.voided) });
    }
    for (const row of await db
      .selectFrom("tube_receipts")
      .select("tube_code")
      .where("site_code", "=", siteCode)
      .where("tube_code", "in", chunk)
      .execute()) {
      received.add(row.tube_code);
    }
  }
  const deviceIds = [...new Set(tubes.map((t) => t.opened_by_device))];
  const devices = new Map(
    deviceIds.length === 0
      ? []
      : (
          await db
            .selectFrom("devices")
            .select(["id", "last_seen_at", "reported_pending"])
            .where("id", "in", deviceIds)
            .execute()
        ).map((d) => [d.id, d] as const),
  );
  return tubes.map((t) => {
    const c = counts.get(t.code) ?? { all: 0, voided: 0 };
    const device = devices.get(t.opened_by_device);
    return {
      tubeCode: t.code,
      status: t.status,
      sealedCount: t.sealed_count === null ? null : Number(t.sealed_count),
      registrations: c.all - c.voided,
      voided: c.voided,
      device: device
        ? {
            id: device.id,
            lastSeenAt: device.last_seen_at,
            reportedPending: device.reported_pending === null ? null : Number(device.reported_pending),
          }
        : null,
      received: received.has(t.code),
    };
  });
}

/** A tube whose people are not all on the server: still open there, or fewer registrations than it was sealed with. */
const isUnsynced = (t: BoxTube) =>
  t.status === "open" || (t.sealedCount !== null && t.status !== "void" && t.registrations < t.sealedCount);

export async function boxForLab(db: Db, labCode: string, boxCode: string, siteCode?: string): Promise<BoxForLab> {
  const box = await findBoxByCode(db, boxCode, siteCode);
  const receipt = await db
    .selectFrom("box_receipts")
    .select(["lab_code", "received_at", "received_by"])
    .where("site_code", "=", box.site_code)
    .where("box_code", "=", box.code)
    .executeTakeFirst();
  checkBoxVisible(box, receipt, labCode);
  checkHandedOver(box);
  return {
    siteCode: box.site_code,
    siteName: box.site_name,
    boxCode: box.code,
    status: box.status,
    handedOverAt: box.handed_over_at,
    destinationLab: box.destination_lab,
    tubes: await boxTubes(db, box.site_code, box.code),
    receipt: receipt
      ? { labCode: receipt.lab_code, receivedAt: receipt.received_at, receivedBy: receipt.received_by }
      : null,
  };
}

/**
 * Receives a box at a lab. `scannedTubes` absent: the count was confirmed, every tube of the box is received. Tubes
 * scanned that are not in the box are listed as extra (in another box of a site, or unknown) and not received here.
 */
export async function receiveBox(
  db: Kysely<Database>,
  dialect: StoreKind,
  request: { labCode: string; staffId: string; boxCode: string; siteCode?: string; scannedTubes?: string[] },
  now = new Date(),
): Promise<ReceiptReport> {
  return db.transaction().execute(async (trx) => {
    const box = await findBoxByCode(trx, request.boxCode, request.siteCode);
    const previous = await earlierReceipt(trx, box, request.labCode);
    if (previous) return previous;
    checkHandedOver(box);
    const tubes = await boxTubes(trx, box.site_code, box.code);
    const expected = tubes.map((t) => t.tubeCode);
    const inBox = new Set(expected);
    const scanned = request.scannedTubes ? [...new Set(request.scannedTubes)] : expected;
    const scannedSet = new Set(scanned);
    const received = expected.filter((code) => scannedSet.has(code));
    const missing = expected.filter((code) => !scannedSet.has(code));
    const strangers = scanned.filter((code) => !inBox.has(code));
    const known = new Set<string>();
    for (const chunk of chunks(strangers, LOOKUP_CHUNK)) {
      for (const row of await trx.selectFrom("tubes").select("code").where("code", "in", chunk).execute()) {
        known.add(row.code);
      }
    }
    const receivedAt = now.toISOString();
    const report: ReceiptReport = {
      siteCode: box.site_code,
      boxCode: box.code,
      labCode: request.labCode,
      receivedAt,
      receivedBy: request.staffId,
      alreadyReceived: false,
      expected,
      received,
      missing,
      extra: strangers.map((tubeCode) => ({
        tubeCode,
        flag: known.has(tubeCode) ? ("extra_other_box" as const) : ("extra_unknown" as const),
      })),
      voided: tubes.filter((t) => t.status === "void").map((t) => t.tubeCode),
      unsynced: tubes.filter(isUnsynced).map((t) => ({
        tubeCode: t.tubeCode,
        sealedCount: t.sealedCount,
        registrations: t.registrations,
        deviceId: t.device?.id ?? null,
        lastSeenAt: t.device?.lastSeenAt ?? null,
      })),
    };
    // Two receipts of one box at once (two benches): the second finds the first's row and answers its report.
    const inserted = await insertRows(
      trx,
      dialect,
      "box_receipts",
      [
        {
          site_code: box.site_code,
          box_code: box.code,
          lab_code: request.labCode,
          received_at: receivedAt,
          received_by: request.staffId,
          report: JSON.stringify(report),
        },
      ],
      { onConflictDoNothing: ["site_code", "box_code"], returning: ["box_code"] },
    );
    if (inserted.length === 0) {
      // The other bench's receipt, committed first (its row blocked ours).
      const first = await earlierReceipt(trx, box, request.labCode);
      if (!first) throw new Error(`box ${box.code}: a receipt conflicted but none is stored`);
      return first;
    }
    await insertRows(
      trx,
      dialect,
      "tube_receipts",
      received.map((tube_code) => ({
        site_code: box.site_code,
        tube_code,
        lab_code: request.labCode,
        box_code: box.code,
        received_at: receivedAt,
        received_by: request.staffId,
      })),
      { onConflictDoNothing: ["site_code", "tube_code"] },
    );
    await audit(trx, {
      action: "box_received",
      actor: request.staffId,
      siteCode: box.site_code,
      subject: box.code,
      detail: {
        lab: request.labCode,
        received: received.length,
        missing: missing.length,
        extra: strangers.length,
        unsynced: report.unsynced.length,
      },
    });
    return report;
  });
}

/**
 * A tube that arrived after its box was received (missing at the bench, found later): received on its own by the lab
 * that received its box. Receiving it again is a no-op; a tube of a box not received here is refused.
 */
export async function receiveLateTube(
  db: Kysely<Database>,
  dialect: StoreKind,
  request: { labCode: string; staffId: string; tubeCode: string; siteCode?: string },
  now = new Date(),
): Promise<{ siteCode: string; tubeCode: string; boxCode: string; alreadyReceived: boolean }> {
  return db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom("tubes")
      .leftJoin("box_receipts", (j) =>
        j.onRef("box_receipts.site_code", "=", "tubes.site_code").onRef("box_receipts.box_code", "=", "tubes.box_code"),
      )
      .select(["tubes.site_code", "tubes.code", "tubes.box_code", "box_receipts.lab_code"])
      .where("tubes.code", "=", request.tubeCode);
    if (request.siteCode) query = query.where("tubes.site_code", "=", request.siteCode);
    const tubes = await query.limit(10).execute();
    const here = tubes.filter((t) => t.lab_code === request.labCode);
    const tube = here.length === 1 ? here[0] : undefined;
    if (!tube || tube.box_code === null) {
      throw new ApiError(
        tubes.length === 0 ? 404 : 409,
        tubes.length === 0 ? "unknown_tube" : "box_not_received_here",
        tubes.length === 0
          ? `No tube ${request.tubeCode} is on the server.`
          : `Tube ${request.tubeCode} belongs to no box received at this lab: receive its box first.`,
      );
    }
    const inserted = await insertRows(
      trx,
      dialect,
      "tube_receipts",
      [
        {
          site_code: tube.site_code,
          tube_code: tube.code,
          lab_code: request.labCode,
          box_code: tube.box_code,
          received_at: now.toISOString(),
          received_by: request.staffId,
        },
      ],
      { onConflictDoNothing: ["site_code", "tube_code"], returning: ["tube_code"] },
    );
    if (inserted.length > 0) {
      await audit(trx, {
        action: "box_received",
        actor: request.staffId,
        siteCode: tube.site_code,
        subject: tube.box_code,
        detail: { lab: request.labCode, lateTube: tube.code },
      });
    }
    return {
      siteCode: tube.site_code,
      tubeCode: tube.code,
      boxCode: tube.box_code,
      alreadyReceived: inserted.length === 0,
    };
  });
}
