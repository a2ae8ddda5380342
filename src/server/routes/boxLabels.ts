import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Kysely } from "kysely";
import { z } from "zod";
import { BoxLabelRequestSchema, BoxLabelRunSchema, BoxLabelSitesSchema } from "../../domain/boxLabels";
import { SiteCodeSchema } from "../../domain/events";
import { ErrorBodySchema } from "../../domain/protocol";
import type { ResidentFormat } from "../../domain/residentFormats";
import { authenticate, authOf } from "../auth/authenticate";
import type { Authenticated } from "../auth/tokens";
import { reserveBoxLabels } from "../boxLabels/boxLabels";
import type { Database } from "../db/schema";
import { ApiError } from "../errors";

const errors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  409: ErrorBodySchema,
};

/** Station staff print for their own site; admins for any site (a district admin: in their district). */
const PRINTING_ROLES = new Set(["collector", "site_lead", "admin"]);

function requirePrintingRole(auth: Authenticated): void {
  if (!PRINTING_ROLES.has(auth.role)) {
    throw new ApiError(403, "forbidden_role", "Only a site's staff or an administrator may print box labels.");
  }
}

/** 403 for a site the caller may not print for, 404 for a site that does not exist (to an admin who may look). */
async function checkSite(db: Kysely<Database>, auth: Authenticated, siteCode: string): Promise<void> {
  if (auth.role !== "admin") {
    if (auth.siteCode !== siteCode) {
      throw new ApiError(403, "wrong_site", `This account may only print labels for site ${auth.siteCode}.`);
    }
    return;
  }
  const site = await db.selectFrom("sites").select("district").where("code", "=", siteCode).executeTakeFirst();
  if (!site) throw new ApiError(404, "unknown_site", `There is no site ${siteCode}.`);
  if (auth.district !== null && site.district !== auth.district) {
    throw new ApiError(403, "other_district", `This account sees district ${auth.district} only.`);
  }
}

/** Box labels: reserve a run of codes for a site (audited), and the sites the caller may print for. */
export const boxLabelRoutes =
  (db: Kysely<Database>, formats: ResidentFormat[] = []): FastifyPluginAsyncZod =>
  async (app) => {
    // The role is checked before the body is read.
    app.addHook("onRequest", authenticate(db));
    app.addHook("onRequest", async (request) => requirePrintingRole(authOf(request)));

    app.post(
      "/sites/:siteCode/box-labels",
      {
        schema: {
          tags: ["sites"],
          summary: "Reserve a run of new box codes for the site's printed labels (each code is given out once)",
          security: [{ bearer: [] }],
          params: z.object({ siteCode: SiteCodeSchema }),
          body: BoxLabelRequestSchema,
          response: { 200: BoxLabelRunSchema, ...errors },
        },
      },
      async (request, reply) => {
        const auth = authOf(request);
        await checkSite(db, auth, request.params.siteCode);
        reply.header("cache-control", "no-store");
        return reserveBoxLabels(db, request.params.siteCode, request.body.count, { actor: auth.staffId, formats });
      },
    );

    app.get(
      "/box-labels/sites",
      {
        schema: {
          tags: ["sites"],
          summary: "The sites the caller may print box labels for",
          security: [{ bearer: [] }],
          response: { 200: BoxLabelSitesSchema, ...errors },
        },
      },
      async (request) => {
        const auth = authOf(request);
        let query = db.selectFrom("sites").select(["code", "name", "district", "street"]).orderBy("code");
        if (auth.role !== "admin") query = query.where("code", "=", auth.siteCode);
        else if (auth.district !== null) query = query.where("district", "=", auth.district);
        return { sites: await query.execute() };
      },
    );
  };
