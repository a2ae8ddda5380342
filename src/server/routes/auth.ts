import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Kysely } from "kysely";
import { z } from "zod";
import { ErrorBodySchema, LoginRequestSchema, LoginResponseSchema, type Role } from "../../domain/protocol";
import { audit } from "../audit/audit";
import { authenticate, authOf } from "../auth/authenticate";
import { clearLoginFailures, type LoginLimits, loginGate, recordLoginFailure } from "../auth/loginLimits";
import { verifyPassword } from "../auth/passwords";
import { issueToken, revokeToken } from "../auth/tokens";
import type { Database } from "../db/schema";
import { ApiError } from "../errors";
import { findSite } from "../sites/sites";

/**
 * POST /api/v1/auth/login: username + password + device id → a device token and the site's configuration.
 * POST /api/v1/auth/logout: ends the caller's token.
 */
export const authRoutes =
  (db: Kysely<Database>, tokenTtlMs: number, limits: LoginLimits): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      "/auth/login",
      {
        schema: {
          tags: ["auth"],
          body: LoginRequestSchema,
          response: { 200: LoginResponseSchema, 401: ErrorBodySchema, 403: ErrorBodySchema, 429: ErrorBodySchema },
        },
      },
      async (request, reply) => {
        const { username, password, deviceId } = request.body;
        const gate = await loginGate(db, username, request.ip, limits);
        // Many failures from this address (perhaps a whole sampling point's router): slowed, never refused.
        if (gate.addressDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, gate.addressDelayMs));
        const wait = gate.userWaitSeconds;
        if (wait > 0) {
          reply.header("retry-after", String(wait));
          throw new ApiError(429, "too_many_attempts", `Too many failed sign-ins; try again in ${wait} s.`, {
            retryAfterSeconds: wait,
          });
        }
        const staff = await db.selectFrom("staff").selectAll().where("username", "=", username).executeTakeFirst();
        // Unknown user and wrong password get the same answer, after the same work.
        if (!(await verifyPassword(password, staff?.password_hash)) || !staff) {
          await recordLoginFailure(db, username, request.ip, limits);
          throw new ApiError(401, "invalid_credentials", "Wrong username or password.");
        }
        await clearLoginFailures(db, username);
        if (staff.disabled) throw new ApiError(403, "staff_disabled", "This staff account is disabled.");
        const site = await findSite(db, staff.site_code);
        if (!site) throw new ApiError(403, "no_site", "This staff account belongs to no site.");
        const now = new Date().toISOString();
        await db
          .insertInto("devices")
          .values({ id: deviceId, site_code: site.code, staff_id: staff.id, last_seq: 0, last_seen_at: now })
          .onConflict((oc) =>
            oc.column("id").doUpdateSet({ site_code: site.code, staff_id: staff.id, last_seen_at: now }),
          )
          .execute();
        const { token, expiresAt } = await issueToken(
          db,
          { staffId: staff.id, siteCode: site.code, deviceId },
          tokenTtlMs,
        );
        request.log.info({ staffId: staff.id, deviceId, site: site.code }, "login");
        await audit(db, {
          action: "login",
          actor: staff.id,
          siteCode: site.code,
          subject: deviceId,
          detail: { address: request.ip },
        });
        return {
          token,
          expiresAt,
          staff: { id: staff.id, username: staff.username, name: staff.name, role: staff.role as Role },
          site,
        };
      },
    );

    app.post(
      "/auth/logout",
      {
        onRequest: authenticate(db),
        schema: {
          tags: ["auth"],
          security: [{ bearer: [] }],
          response: { 200: z.object({ ok: z.literal(true) }), 401: ErrorBodySchema },
        },
      },
      async (request) => {
        const auth = authOf(request);
        const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1] ?? "";
        // The device signs out: its token ends now rather than when it expires (a phone lost after sign-out is safe).
        await revokeToken(db, token);
        await audit(db, { action: "logout", actor: auth.staffId, siteCode: auth.siteCode, subject: auth.deviceId });
        return { ok: true as const };
      },
    );
  };
