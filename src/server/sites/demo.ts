/** The demo site created on first start with an empty database, so `npm start` is usable at once. */
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import { createSite, createStaff } from "./sites";

export const DEMO_SITE = {
  code: "DEMO",
  name: "演示采样点 Demo site",
  poolSize: 10,
  district: "芝罘区",
  street: "毓璜顶街道",
} as const;
export const DEMO_LOGIN = { username: "demo", password: "demo1234" } as const;

/** Creates the demo site and account when no site exists yet; returns whether it did. */
export async function seedDemoIfEmpty(db: Kysely<Database>): Promise<boolean> {
  const anySite = await db.selectFrom("sites").select("code").limit(1).executeTakeFirst();
  if (anySite) return false;
  await createSite(db, DEMO_SITE);
  await createStaff(db, {
    ...DEMO_LOGIN,
    name: "演示登记员 Demo collector",
    role: "collector",
    siteCode: DEMO_SITE.code,
  });
  return true;
}
