import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { ExportFileSchema } from "../../domain/exportFile";
import { ErrorBodySchema, ImportResponseSchema } from "../../domain/protocol";
import { authenticate, authOf } from "../auth/authenticate";
import type { Store } from "../db";
import { ApiError } from "../errors";
import type { GroupCommitter } from "../events/groupCommit";
import { importQueue } from "../events/importQueue";

/** An exported queue of a device offline for days may be large: 64 MB (~100,000 events) per file. */
const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

/** POST /api/v1/admin/import: an administrator imports a device's exported queue (the escape hatch). */
export const adminRoutes =
  (store: Store, committer: GroupCommitter): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      "/admin/import",
      {
        // The role is checked before the body is read: others get 403 whatever they send.
        onRequest: [
          authenticate(store.db),
          async (request) => {
            if (authOf(request).role !== "admin") {
              throw new ApiError(403, "forbidden_role", "Only an administrator (district command) may import a queue.");
            }
          },
        ],
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          tags: ["admin"],
          security: [{ bearer: [] }],
          body: ExportFileSchema,
          response: {
            200: ImportResponseSchema,
            400: ErrorBodySchema,
            401: ErrorBodySchema,
            403: ErrorBodySchema,
            404: ErrorBodySchema,
          },
        },
      },
      async (request) => {
        const auth = authOf(request);
        return importQueue(store, committer, request.body, auth.staffId);
      },
    );
  };
