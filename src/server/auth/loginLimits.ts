/**
 * Login brute-force limits, per username and per client address, kept in the store so that every server process
 * behind a load balancer counts the same failures.
 * - A username over its limit gets 429 until its window ends (a good login clears its count).
 * - An address is never refused: all phones of a sampling point sit behind one 4G router, and other people's failures
 *   must not lock a good user out. Past its limit, every attempt from the address waits a growing delay instead
 *   (a step per failure over the limit, capped), which slows guessing across many usernames to a crawl.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";

export interface LoginLimits {
  windowMs: number;
  perUser: number;
  /** Failures from one address before its attempts are slowed. */
  perAddress: number;
  /** Delay added per failure over `perAddress`, and its cap. */
  addressDelayStepMs?: number;
  addressDelayMaxMs?: number;
}

/**
 * 5 wrong passwords for one username per 15 minutes; from one address (a sampling point shares one), 30 failures,
 * then each attempt waits 1 s more per failure, at most 10 s.
 */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  windowMs: 15 * 60_000,
  perUser: 5,
  perAddress: 30,
  addressDelayStepMs: 1000,
  addressDelayMaxMs: 10_000,
};

export interface LoginGate {
  /** Seconds until this username may try again (0: it may). */
  userWaitSeconds: number;
  /** How long to hold this attempt before answering, for an address over its limit (0 otherwise). */
  addressDelayMs: number;
}

const keysOf = (username: string, address: string) => ({ user: `user:${username}`, addr: `addr:${address}` });

/** Whether this username is locked, and how long an attempt from this address waits first. */
export async function loginGate(
  db: Kysely<Database>,
  username: string,
  address: string,
  limits: LoginLimits,
  now = Date.now(),
): Promise<LoginGate> {
  const keys = keysOf(username, address);
  const rows = await db.selectFrom("login_failures").selectAll().where("key", "in", [keys.user, keys.addr]).execute();
  const gate: LoginGate = { userWaitSeconds: 0, addressDelayMs: 0 };
  for (const row of rows) {
    const ends = Date.parse(row.window_start) + limits.windowMs;
    if (ends <= now) continue;
    if (row.key === keys.user && row.failures >= limits.perUser) {
      gate.userWaitSeconds = Math.ceil((ends - now) / 1000);
    } else if (row.key === keys.addr && row.failures >= limits.perAddress) {
      const over = row.failures - limits.perAddress + 1;
      gate.addressDelayMs = Math.min(over * (limits.addressDelayStepMs ?? 0), limits.addressDelayMaxMs ?? 0);
    }
  }
  return gate;
}

export async function recordLoginFailure(
  db: Kysely<Database>,
  username: string,
  address: string,
  limits: LoginLimits,
  now = Date.now(),
): Promise<void> {
  const keys = keysOf(username, address);
  for (const key of [keys.user, keys.addr]) await countInWindow(db, key, limits.windowMs, now);
}

/**
 * Adds one to a counter kept in the store (login_failures) under `key`, in a window of `windowMs` that starts with
 * its first count: a window that has ended starts again at 1. Shared by the login limits and the resident status
 * page's lookup limits.
 */
export async function countInWindow(db: Kysely<Database>, key: string, windowMs: number, now: number): Promise<void> {
  const windowStart = new Date(now).toISOString();
  const staleBefore = new Date(now - windowMs).toISOString();
  await db
    .insertInto("login_failures")
    .values({ key, window_start: windowStart, failures: 1 })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet((eb) => ({
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

export async function clearLoginFailures(db: Kysely<Database>, username: string): Promise<void> {
  await db.deleteFrom("login_failures").where("key", "=", keysOf(username, "").user).execute();
}
