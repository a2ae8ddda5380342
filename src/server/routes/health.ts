import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { sql } from "kysely";
import { HealthSchema } from "../../domain/protocol";
import type { Store } from "../db";
import { APP_VERSION } from "../version";

/** GET /api/health: version and whether the database answers (503 when it does not). */
export const healthRoutes =
  (store: Store): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      "/api/health",
      { schema: { tags: ["system"], response: { 200: HealthSchema, 503: HealthSchema } } },
      async (_request, reply) => {
        let reachable = true;
        try {
          await sql`select 1`.execute(store.db);
        } catch {
          reachable = false;
        }
        return reply.status(reachable ? 200 : 503).send({
          status: reachable ? "ok" : "degraded",
          version: APP_VERSION,
          database: { reachable, dialect: store.dialect },
        });
      },
    );
  };
