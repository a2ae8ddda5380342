/** Device tokens: random, shown once at login, stored only as a SHA-256 hash, bound to staff, site and device. */
import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Role } from "../../domain/protocol";
import type { Database } from "../db/schema";

export interface TokenBinding {
  staffId: string;
  /** The station's site; "" for a console token of lab staff. */
  siteCode: string;
  deviceId: string;
  /** Lab staff's lab (console tokens), else null. */
  labCode?: string | null;
}

export interface Authenticated extends TokenBinding {
  role: Role;
  username: string;
  labCode: string | null;
  /** An admin's district (the command centre shows only it); null: the whole city. */
  district: string | null;
}

export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");

export async function issueToken(
  db: Kysely<Database>,
  binding: TokenBinding,
  ttlMs: number,
  now = new Date(),
): Promise<{ token: string; expiresAt: string }> {
  const token = `spt_${randomBytes(32).toString("base64url")}`;
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
  await db
    .insertInto("tokens")
    .values({
      hash: hashToken(token),
      staff_id: binding.staffId,
      site_code: binding.siteCode,
      device_id: binding.deviceId,
      lab_code: binding.labCode ?? null,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      revoked_at: null,
    })
    .execute();
  return { token, expiresAt };
}

export type TokenProblem = "invalid_token" | "token_expired" | "token_revoked" | "staff_disabled";

export async function checkToken(
  db: Kysely<Database>,
  token: string,
  now = new Date(),
): Promise<{ ok: true; auth: Authenticated } | { ok: false; problem: TokenProblem }> {
  const row = await db
    .selectFrom("tokens")
    .innerJoin("staff", "staff.id", "tokens.staff_id")
    .select([
      "tokens.staff_id",
      "tokens.site_code",
      "tokens.device_id",
      "tokens.lab_code",
      "tokens.expires_at",
      "tokens.revoked_at",
      "staff.role",
      "staff.username",
      "staff.disabled",
      "staff.district",
    ])
    .where("tokens.hash", "=", hashToken(token))
    .executeTakeFirst();
  if (!row) return { ok: false, problem: "invalid_token" };
  if (row.revoked_at) return { ok: false, problem: "token_revoked" };
  if (row.expires_at <= now.toISOString()) return { ok: false, problem: "token_expired" };
  if (row.disabled) return { ok: false, problem: "staff_disabled" };
  return {
    ok: true,
    auth: {
      staffId: row.staff_id,
      siteCode: row.site_code,
      deviceId: row.device_id,
      role: row.role as Role,
      username: row.username,
      labCode: row.lab_code,
      district: row.district,
    },
  };
}

/** Ends a token at once (sign-out): later requests with it get 401 token_revoked. */
export async function revokeToken(db: Kysely<Database>, token: string, now = new Date()): Promise<void> {
  await db
    .updateTable("tokens")
    .set({ revoked_at: now.toISOString() })
    .where("hash", "=", hashToken(token))
    .where("revoked_at", "is", null)
    .execute();
}
