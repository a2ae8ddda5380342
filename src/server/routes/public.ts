import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Kysely } from "kysely";
import { StatusAnswerSchema, StatusLookupSchema } from "../../domain/labs";
import { ErrorBodySchema } from "../../domain/protocol";
import type { Database } from "../db/schema";
import { ApiError } from "../errors";
import { DEFAULT_STATUS_LIMITS, residentStatus, type StatusLimits } from "../labs/residentStatus";

/** No sign-in: the resident status page's lookup (limited, audited, only the asker's own samplings). */
export const publicRoutes =
  (db: Kysely<Database>, limits: StatusLimits = DEFAULT_STATUS_LIMITS): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      "/public/status",
      {
        schema: {
          tags: ["public"],
          summary: "A resident's own recent samplings and their status",
          description:
            "Document number and name (and optionally the phone's last 4 digits). A wrong name answers exactly as no " +
            "record. Limited per address and per document (429 too_many_lookups); every lookup is audited.",
          body: StatusLookupSchema,
          response: { 200: StatusAnswerSchema, 400: ErrorBodySchema, 429: ErrorBodySchema },
        },
      },
      async (request, reply) => {
        try {
          return await residentStatus(db, request.body, request.ip, limits);
        } catch (error) {
          if (error instanceof ApiError && error.statusCode === 429) {
            const details = error.details as { retryAfterSeconds?: number } | undefined;
            reply.header("retry-after", String(details?.retryAfterSeconds ?? 60));
          }
          throw error;
        }
      },
    );
  };
