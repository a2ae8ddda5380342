import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { ErrorBodySchema, PushRequestSchema, PushResponseSchema } from "../../domain/protocol";
import { authenticate, authOf } from "../auth/authenticate";
import type { Store } from "../db";
import { ApiError } from "../errors";
import { pushBatch } from "../events/pushBatch";

/** POST /api/v1/events/push: a batch of a device's events, one result per event. */
export const eventRoutes =
  (store: Store): FastifyPluginAsyncZod =>
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
        const auth = authOf(request);
        if (request.body.deviceId !== auth.deviceId) {
          throw new ApiError(403, "device_mismatch", "This token belongs to another device.");
        }
        const now = new Date();
        const results = await pushBatch(
          store,
          auth,
          request.body.events,
          now,
          request.body.pending,
          request.body.deviceTime,
        );
        return { results, serverTime: now.toISOString() };
      },
    );
  };
