/** Labs as an entity: the places boxes are taken to, whose staff receive them and record results. */
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";

/** Lab codes follow site codes' rule: 2–32 of A–Z, 0–9, _ or -. */
export const LAB_CODE = /^[A-Z0-9][A-Z0-9_-]{1,31}$/;

export interface Lab {
  code: string;
  name: string;
}

export async function createLab(db: Kysely<Database>, lab: Lab): Promise<void> {
  await db
    .insertInto("labs")
    .values({ code: lab.code, name: lab.name, created_at: new Date().toISOString() })
    .execute();
}

export async function findLab(db: Kysely<Database>, code: string): Promise<Lab | undefined> {
  return db.selectFrom("labs").select(["code", "name"]).where("code", "=", code).executeTakeFirst();
}

export async function listLabs(db: Kysely<Database>): Promise<Lab[]> {
  return db.selectFrom("labs").select(["code", "name"]).orderBy("code").execute();
}
