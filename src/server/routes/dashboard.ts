import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DashboardQuerySchema, DashboardSchema, RoundSchema } from "../../domain/command";
import { ErrorBodySchema } from "../../domain/protocol";
import { authenticate, authOf } from "../auth/authenticate";
import type { Authenticated } from "../auth/tokens";
import { dashboard, listRounds } from "../dashboard/dashboard";
import type { Store } from "../db";
import { ApiError } from "../errors";

const errors = { 400: ErrorBodySchema, 401: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema };

/** Only admins use the command centre; a district admin's answers are cut to their district. */
export function requireAdmin(auth: Authenticated): { district: string | null } {
  if (auth.role !== "admin") {
    throw new ApiError(403, "forbidden_role", "Only an administrator may use the command centre.");
  }
  return { district: auth.district };
}

/**
 * The command centre's dashboard. The console polls it every few seconds (short polling, not server-sent events:
 * several stateless server processes answer, so any of them can serve a poll from the counters without a shared
 * channel between processes, and a poll passes every proxy and 4G router unchanged).
 */
export const dashboardRoutes =
  (store: Store): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = store;
    app.addHook("onRequest", authenticate(db));

    app.get(
      "/dashboard",
      {
        schema: {
          tags: ["command"],
          summary: "Figures of the city, a district, a street or a site, for a day or a round",
          security: [{ bearer: [] }],
          querystring: DashboardQuerySchema,
          response: { 200: DashboardSchema, ...errors },
        },
      },
      async (request, reply) => {
        const viewer = requireAdmin(authOf(request));
        reply.header("cache-control", "no-store");
        // The answer is built to DashboardSchema's type; checking tens of thousands of chart numbers against the
        // schema again on every poll would cost more than building them (the schema still documents the API).
        reply.serializer(JSON.stringify);
        return dashboard(db, viewer, request.query);
      },
    );

    app.get(
      "/rounds",
      {
        schema: {
          tags: ["command"],
          security: [{ bearer: [] }],
          response: { 200: z.object({ rounds: z.array(RoundSchema) }), ...errors },
        },
      },
      async (request) => {
        requireAdmin(authOf(request));
        return { rounds: await listRounds(db) };
      },
    );
  };
