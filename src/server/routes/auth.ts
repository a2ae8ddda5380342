import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Kysely } from "kysely";
import { ErrorBodySchema, LoginRequestSchema, LoginResponseSchema, type Role } from "../../domain/protocol";
import { audit } from "../audit/audit";
import { clearLoginFailures, type LoginLimits, loginBlockedFor, recordLoginFailure } from "../auth/loginLimits";
import { verifyPassword } from "../auth/passwords";
import { issueToken } from "../auth/tokens";
import type { Database } from "../db/schema";
import { ApiError } from "../errors";
import { findSite } from "../sites/sites";

/** POST /api/v1/auth/login: username + password + device id → a device token and the site's configuration. */
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
        const wait = await loginBlockedFor(db, username, request.ip, limits);
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
  };
