import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { SiteCodeSchema } from "../../domain/events";
import {
  ErrorBodySchema,
  PullQuerySchema,
  type PullResponse,
  PullResponseSchema,
  PushRequestSchema,
  PushResponseSchema,
} from "../../domain/protocol";
import { authenticate, stationAuthOf } from "../auth/authenticate";
import type { Store } from "../db";
import { ApiError } from "../errors";
import type { GroupCommitter } from "../events/groupCommit";
import { pullEvents } from "../events/pullEvents";

/**
 * POST /api/v1/events/push: a batch of a device's events, one result per event.
 * GET /api/v1/sites/{code}/events?after=: the site's other devices' events after a cursor.
 */
export const eventRoutes =
  (store: Store, committer: GroupCommitter): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      "/events/push",
      {
        onRequest: authenticate(store.db),
        schema: {
          tags: ["sync"],
          security: [{ bearer: [] }],
          body: PushRequestSchema,
          response: { 200: PushResponseSchema, 401: ErrorBodySchema, 403: ErrorBodySchema },
        },
      },
      async (request) => {
        const auth = stationAuthOf(request);
        if (request.body.deviceId !== auth.deviceId) {
          throw new ApiError(403, "device_mismatch", "This token belongs to another device.");
        }
        const { events, pending, deviceTime } = request.body;
        // A token pushes for its own site only: a request carrying another site's event is refused whole, before
        // anything is applied (a device never has another site's events: it cannot sign out with events queued).
        const foreign = events.findIndex((raw) => {
          const siteCode = (raw as { siteCode?: unknown } | null)?.siteCode;
          return typeof siteCode === "string" && siteCode !== auth.siteCode;
        });
        if (foreign >= 0) {
          throw new ApiError(
            403,
            "wrong_site",
            `This token may only push events of site ${auth.siteCode}; event ${foreign} names another site.`,
          );
        }
        // Events are bound to their author: a token pushes only events its own staff member made on its own device
        // (a collector cannot record in the site lead's name). Refused whole, before anything is applied.
        const impostor = events.findIndex((raw) => {
          const { staffId, deviceId } = (raw ?? {}) as { staffId?: unknown; deviceId?: unknown };
          return (
            (typeof staffId === "string" && staffId !== auth.staffId) ||
            (typeof deviceId === "string" && deviceId !== auth.deviceId)
          );
        });
        if (impostor >= 0) {
          throw new ApiError(
            403,
            "staff_mismatch",
            `This token may only push events made by its own staff member on its own device; event ${impostor} names another.`,
          );
        }
        const now = new Date();
        const { results, mark } = await committer.push({
          auth,
          rawEvents: events,
          now,
          ...(pending === undefined ? {} : { reportedPending: pending }),
          ...(deviceTime ? { deviceTime } : {}),
        });
        return { results, serverTime: now.toISOString(), mark };
      },
    );

    app.get(
      "/sites/:siteCode/events",
      {
        onRequest: authenticate(store.db),
        schema: {
          tags: ["sync"],
          security: [{ bearer: [] }],
          params: z.object({ siteCode: SiteCodeSchema }),
          querystring: PullQuerySchema,
          response: { 200: PullResponseSchema, 401: ErrorBodySchema, 403: ErrorBodySchema },
        },
      },
      async (request, reply) => {
        const auth = stationAuthOf(request);
        // A device pulls its own site only: no role reads another site's raw events through this endpoint.
        if (request.params.siteCode !== auth.siteCode) {
          throw new ApiError(403, "wrong_site", `This token may only pull events of site ${auth.siteCode}.`);
        }
        const page = await pullEvents(store, auth, request.query.after, request.query.afterId, request.query.limit);
        // Sent as built (a Buffer is never re-serialised): the bodies are the stored canonical JSON of events that
        // were validated when they were pushed.
        return reply.type("application/json; charset=utf-8").send(Buffer.from(page.json) as unknown as PullResponse);
      },
    );
  };
