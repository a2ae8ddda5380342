/** Sites and their staff: configuration as devices see it, creation, and the per-site summary. */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { PoolSize } from "../../domain/events";
import type { BoxView, Role, SiteConfig, SiteSettings, SiteSummary, TubeView } from "../../domain/protocol";
import { formatsForSite, type ResidentFormat } from "../../domain/residentFormats";
import { DEFAULT_BOX_PATTERN, DEFAULT_TUBE_PATTERN } from "../../domain/scanCodes";
import { hashPassword } from "../auth/passwords";
import type { Database, SiteRow } from "../db/schema";

export const toSiteConfig = (row: SiteRow, formats: ResidentFormat[] = []): SiteConfig => ({
  code: row.code,
  name: row.name,
  poolSize: row.pool_size as PoolSize,
  tubePattern: row.tube_pattern,
  boxPattern: row.box_pattern,
  phoneRequired: row.phone_required === 1,
  retentionDays: row.retention_days,
  ...(formatsForSite(formats, row.code).length > 0 ? { residentFormats: formatsForSite(formats, row.code) } : {}),
});

export async function findSite(
  db: Kysely<Database>,
  code: string,
  formats: ResidentFormat[] = [],
): Promise<SiteConfig | undefined> {
  const row = await db.selectFrom("sites").selectAll().where("code", "=", code).executeTakeFirst();
  return row ? toSiteConfig(row, formats) : undefined;
}

export async function createSite(
  db: Kysely<Database>,
  site: {
    code: string;
    name: string;
    poolSize: PoolSize;
    tubePattern?: string;
    boxPattern?: string;
    phoneRequired?: boolean;
    district?: string;
    street?: string;
  },
): Promise<void> {
  await db
    .insertInto("sites")
    .values({
      code: site.code,
      name: site.name,
      pool_size: site.poolSize,
      tube_pattern: site.tubePattern ?? DEFAULT_TUBE_PATTERN,
      box_pattern: site.boxPattern ?? DEFAULT_BOX_PATTERN,
      phone_required: site.phoneRequired ? 1 : 0,
      district: site.district ?? "",
      street: site.street ?? "",
      created_at: new Date().toISOString(),
    })
    .execute();
}

export async function createStaff(
  db: Kysely<Database>,
  staff: {
    username: string;
    name: string;
    role: Role;
    siteCode: string | null;
    labCode?: string | null;
    district?: string | null;
    password: string;
  },
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto("staff")
    .values({
      id,
      username: staff.username,
      name: staff.name,
      role: staff.role,
      site_code: staff.siteCode,
      lab_code: staff.labCode ?? null,
      district: staff.district ?? null,
      password_hash: await hashPassword(staff.password),
      disabled: 0,
      created_at: new Date().toISOString(),
    })
    .execute();
  return id;
}

export async function siteSummary(db: Kysely<Database>, siteCode: string): Promise<SiteSummary> {
  const tubes = await db
    .selectFrom("tubes")
    .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("site_code", "=", siteCode)
    .groupBy("status")
    .execute();
  const registrations = await db
    .selectFrom("registrations")
    .select([(eb) => eb.fn.countAll<number>().as("all"), (eb) => eb.fn.count<number>("voided_at").as("voided")])
    .where("site_code", "=", siteCode)
    .executeTakeFirstOrThrow();
  const byStatus = (status: string) => Number(tubes.find((t) => t.status === status)?.n ?? 0);
  const voided = Number(registrations.voided);
  return {
    siteCode,
    tubes: byStatus("open") + byStatus("sealed"),
    openTubes: byStatus("open"),
    sealedTubes: byStatus("sealed"),
    registrations: Number(registrations.all) - voided,
    voidedRegistrations: voided,
  };
}

/** Every tube of a site with its active members (the lab's trace and the command centre's view). */
export async function siteTubes(db: Kysely<Database>, siteCode: string, tubeCode?: string): Promise<TubeView[]> {
  let tubesQuery = db.selectFrom("tubes").selectAll().where("site_code", "=", siteCode);
  let membersQuery = db
    .selectFrom("registrations")
    .select(["id", "tube_code", "name", "doc_type", "doc_number", "registered_at"])
    .where("site_code", "=", siteCode)
    .where("voided_at", "is", null);
  if (tubeCode) {
    tubesQuery = tubesQuery.where("code", "=", tubeCode);
    membersQuery = membersQuery.where("tube_code", "=", tubeCode);
  }
  const [tubes, members] = await Promise.all([
    tubesQuery.orderBy("opened_at").orderBy("code").execute(),
    membersQuery.orderBy("registered_at").orderBy("id").execute(),
  ]);
  const byTube = new Map<string, TubeView["members"]>();
  for (const m of members) {
    const list = byTube.get(m.tube_code) ?? [];
    list.push({
      registrationId: m.id,
      name: m.name,
      docType: m.doc_type,
      docNumber: m.doc_number,
      registeredAt: m.registered_at,
    });
    byTube.set(m.tube_code, list);
  }
  return tubes.map((t) => ({
    code: t.code,
    capacity: t.capacity,
    status: t.status as TubeView["status"],
    short: t.short === 1,
    boxCode: t.box_code,
    transferredTo: t.transferred_to,
    members: byTube.get(t.code) ?? [],
  }));
}

export async function siteBoxes(db: Kysely<Database>, siteCode: string): Promise<BoxView[]> {
  const [boxes, tubes] = await Promise.all([
    db.selectFrom("boxes").selectAll().where("site_code", "=", siteCode).orderBy("opened_at").execute(),
    db
      .selectFrom("tubes")
      .select(["code", "box_code"])
      .where("site_code", "=", siteCode)
      .where("box_code", "is not", null)
      .orderBy("code")
      .execute(),
  ]);
  return boxes.map((b) => ({
    code: b.code,
    status: b.status as BoxView["status"],
    tubeCodes: tubes.filter((t) => t.box_code === b.code).map((t) => t.code),
    handover:
      b.status === "handed_over" && b.handed_over_at
        ? {
            at: b.handed_over_at,
            courierName: b.courier_name ?? "",
            courierPhone: b.courier_phone ?? "",
            vehiclePlate: b.vehicle_plate,
          }
        : null,
  }));
}

export async function updateSiteSettings(
  db: Kysely<Database>,
  siteCode: string,
  settings: SiteSettings,
  formats: ResidentFormat[] = [],
): Promise<SiteConfig | undefined> {
  const changes = {
    ...(settings.name !== undefined ? { name: settings.name } : {}),
    ...(settings.poolSize !== undefined ? { pool_size: settings.poolSize } : {}),
    ...(settings.phoneRequired !== undefined ? { phone_required: settings.phoneRequired ? 1 : 0 } : {}),
    ...(settings.retentionDays !== undefined ? { retention_days: settings.retentionDays } : {}),
  };
  if (Object.keys(changes).length > 0)
    await db.updateTable("sites").set(changes).where("code", "=", siteCode).execute();
  return findSite(db, siteCode, formats);
}
