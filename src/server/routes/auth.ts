import { randomUUID } from "node:crypto";
import type { FastifyReply } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Kysely } from "kysely";
import { z } from "zod";
import { ConsoleLoginRequestSchema, ConsoleSessionSchema } from "../../domain/labs";
import { ErrorBodySchema, LoginRequestSchema, LoginResponseSchema, type Role } from "../../domain/protocol";
import type { ResidentFormat } from "../../domain/residentFormats";
import { audit } from "../audit/audit";
import { authenticate, authOf, CONSOLE_DEVICE_PREFIX } from "../auth/authenticate";
import { clearLoginFailures, type LoginLimits, loginGate, recordLoginFailure } from "../auth/loginLimits";
import { verifyPassword } from "../auth/passwords";
import { issueToken, revokeToken } from "../auth/tokens";
import type { Database } from "../db/schema";
import { ApiError } from "../errors";
import { findLab } from "../labs/labs";
import { findSite } from "../sites/sites";

/**
 * POST /api/v1/auth/login: username + password + device id → a device token and the site's configuration.
 * POST /api/v1/auth/logout: ends the caller's token.
 */
export const authRoutes =
  (
    db: Kysely<Database>,
    tokenTtlMs: number,
    limits: LoginLimits,
    formats: ResidentFormat[] = [],
  ): FastifyPluginAsyncZod =>
  async (app) => {
    /** The password check both sign-ins share: limits per username and address, then the staff row (or 401/403/429). */
    async function checkCredentials(address: string, reply: FastifyReply, username: string, password: string) {
      const gate = await loginGate(db, username, address, limits);
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
        await recordLoginFailure(db, username, address, limits);
        throw new ApiError(401, "invalid_credentials", "Wrong username or password.");
      }
      await clearLoginFailures(db, username);
      if (staff.disabled) throw new ApiError(403, "staff_disabled", "This staff account is disabled.");
      return staff;
    }

    app.post(
      "/auth/console-login",
      {
        schema: {
          tags: ["auth"],
          summary: "Sign in to the desk console (labs, command centre)",
          body: ConsoleLoginRequestSchema,
          response: {
            200: ConsoleSessionSchema,
            400: ErrorBodySchema,
            401: ErrorBodySchema,
            403: ErrorBodySchema,
            429: ErrorBodySchema,
          },
        },
      },
      async (request, reply) => {
        const staff = await checkCredentials(request.ip, reply, request.body.username, request.body.password);
        // A console token is bound to no phone: its "device" names the console, for the audit log.
        const deviceId = `${CONSOLE_DEVICE_PREFIX}${randomUUID()}`;
        const { token, expiresAt } = await issueToken(
          db,
          { staffId: staff.id, siteCode: staff.site_code ?? "", deviceId, labCode: staff.lab_code },
          tokenTtlMs,
        );
        await audit(db, {
          action: "login",
          actor: staff.id,
          siteCode: staff.site_code,
          subject: deviceId,
          detail: { address: request.ip, console: true, ...(staff.lab_code ? { lab: staff.lab_code } : {}) },
        });
        const lab = staff.lab_code ? await findLab(db, staff.lab_code) : undefined;
        return {
          token,
          expiresAt,
          staff: { id: staff.id, username: staff.username, name: staff.name, role: staff.role as Role },
          lab: lab ?? null,
          siteCode: staff.site_code,
          district: staff.role === "admin" ? staff.district : null,
        };
      },
    );

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
        const staff = await checkCredentials(request.ip, reply, username, password);
        // Lab staff have no site: they sign in to the desk console, not to a station.
        const site = staff.site_code === null ? undefined : await findSite(db, staff.site_code, formats);
        if (!site) throw new ApiError(403, "no_site", "This staff account belongs to no site: sign in to the console.");
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
