/**
 * Login brute-force limits, per username and per client address, kept in the store so that every server process
 * behind a load balancer counts the same failures. A key over its limit gets 429 until its window ends; a good login
 * clears the username's count.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";

export interface LoginLimits {
  windowMs: number;
  perUser: number;
  perAddress: number;
}

/** 5 wrong passwords for one username, or 30 from one address (a sampling point shares one), per 15 minutes. */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perUser: 5, perAddress: 30 };

const keysOf = (username: string, address: string) => ({ user: `user:${username}`, addr: `addr:${address}` });

/** Seconds until the caller may try again, or 0 when neither its username nor its address is over the limit. */
export async function loginBlockedFor(
  db: Kysely<Database>,
  username: string,
  address: string,
  limits: LoginLimits,
  now = Date.now(),
): Promise<number> {
  const keys = keysOf(username, address);
  const rows = await db.selectFrom("login_failures").selectAll().where("key", "in", [keys.user, keys.addr]).execute();
  let wait = 0;
  for (const row of rows) {
    const ends = Date.parse(row.window_start) + limits.windowMs;
    const limit = row.key === keys.user ? limits.perUser : limits.perAddress;
    if (ends > now && row.failures >= limit) wait = Math.max(wait, Math.ceil((ends - now) / 1000));
  }
  return wait;
}

export async function recordLoginFailure(
  db: Kysely<Database>,
  username: string,
  address: string,
  limits: LoginLimits,
  now = Date.now(),
): Promise<void> {
  const keys = keysOf(username, address);
  const windowStart = new Date(now).toISOString();
  const staleBefore = new Date(now - limits.windowMs).toISOString();
  for (const key of [keys.user, keys.addr]) {
    await db
      .insertInto("login_failures")
      .values({ key, window_start: windowStart, failures: 1 })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet((eb) => ({
          // A window that has ended starts again at 1.
          failures: eb
            .case()
            .when("login_failures.window_start", "<", staleBefore)
            .then(1)
            .else(eb("login_failures.failures", "+", 1))
            .end(),
          window_start: eb
            .case()
            .when("login_failures.window_start", "<", staleBefore)
            .then(windowStart)
            .else(eb.ref("login_failures.window_start"))
            .end(),
        })),
      )
      .execute();
  }
}

export async function clearLoginFailures(db: Kysely<Database>, username: string): Promise<void> {
  await db.deleteFrom("login_failures").where("key", "=", keysOf(username, "").user).execute();
}
