import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { LookupAnswerSchema, LookupRequestSchema } from "../../domain/command";
import { ErrorBodySchema } from "../../domain/protocol";
import { authenticate, authOf } from "../auth/authenticate";
import type { Store } from "../db";
import { lookup } from "../lookups/lookups";
import { requireAdmin } from "./dashboard";

/** POST (not GET): the document number and the reason stay out of URLs and access logs. */
export const lookupRoutes =
  (store: Store): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      "/lookups",
      {
        // The role is checked before the body is read.
        onRequest: [authenticate(store.db), async (request) => void requireAdmin(authOf(request))],
        schema: {
          tags: ["command"],
          summary: "Look up a resident (document number), a tube or a box; audited with the reason",
          security: [{ bearer: [] }],
          body: LookupRequestSchema,
          response: {
            200: LookupAnswerSchema,
            400: ErrorBodySchema,
            401: ErrorBodySchema,
            403: ErrorBodySchema,
          },
        },
      },
      async (request, reply) => {
        const auth = authOf(request);
        reply.header("cache-control", "no-store");
        return lookup(store.db, { staffId: auth.staffId, district: auth.district }, request.body);
      },
    );
  };
