import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Kysely } from "kysely";
import { z } from "zod";
import { NO_CONTROL_CHARACTERS, SiteCodeSchema } from "../../domain/events";
import {
  BoxViewSchema,
  ConflictSchema,
  ErrorBodySchema,
  SiteConfigSchema,
  SiteSettingsSchema,
  SiteSummarySchema,
  TubeViewSchema,
} from "../../domain/protocol";
import type { ResidentFormat } from "../../domain/residentFormats";
import { authenticate, authOf } from "../auth/authenticate";
import type { Database } from "../db/schema";
import { ApiError } from "../errors";
import { siteConflicts } from "../events/conflicts";
import { findSite, siteBoxes, siteSummary, siteTubes, updateSiteSettings } from "../sites/sites";

const SiteParams = z.object({ siteCode: SiteCodeSchema });

/** Site configuration and summary; a token sees its own site only (admins see every site). */
export const siteRoutes =
  (db: Kysely<Database>, formats: ResidentFormat[] = []): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook("onRequest", authenticate(db));

    const checkScope = (auth: ReturnType<typeof authOf>, siteCode: string) => {
      if (auth.siteCode !== siteCode && auth.role !== "admin") {
        throw new ApiError(403, "wrong_site", `This token may only read site ${auth.siteCode}.`);
      }
    };
    const errors = { 401: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema };

    app.get(
      "/sites/:siteCode",
      {
        schema: {
          tags: ["sites"],
          security: [{ bearer: [] }],
          params: SiteParams,
          response: { 200: SiteConfigSchema, ...errors },
        },
      },
      async (request) => {
        checkScope(authOf(request), request.params.siteCode);
        const site = await findSite(db, request.params.siteCode, formats);
        if (!site) throw new ApiError(404, "unknown_site", `There is no site ${request.params.siteCode}.`);
        return site;
      },
    );

    app.patch(
      "/sites/:siteCode",
      {
        schema: {
          tags: ["sites"],
          security: [{ bearer: [] }],
          params: SiteParams,
          body: SiteSettingsSchema,
          response: { 200: SiteConfigSchema, ...errors },
        },
      },
      async (request) => {
        const auth = authOf(request);
        checkScope(auth, request.params.siteCode);
        if (auth.role !== "site_lead" && auth.role !== "admin") {
          throw new ApiError(403, "forbidden_role", "Only a site lead or an admin may change site settings.");
        }
        const site = await updateSiteSettings(db, request.params.siteCode, request.body, formats);
        if (!site) throw new ApiError(404, "unknown_site", `There is no site ${request.params.siteCode}.`);
        request.log.info({ site: site.code, by: auth.staffId, settings: request.body }, "site settings changed");
        return site;
      },
    );

    app.get(
      "/sites/:siteCode/summary",
      {
        schema: {
          tags: ["sites"],
          security: [{ bearer: [] }],
          params: SiteParams,
          response: { 200: SiteSummarySchema, ...errors },
        },
      },
      async (request) => {
        checkScope(authOf(request), request.params.siteCode);
        if (!(await findSite(db, request.params.siteCode))) {
          throw new ApiError(404, "unknown_site", `There is no site ${request.params.siteCode}.`);
        }
        return siteSummary(db, request.params.siteCode);
      },
    );

    app.get(
      "/sites/:siteCode/tubes",
      {
        schema: {
          tags: ["sites"],
          security: [{ bearer: [] }],
          params: SiteParams,
          querystring: z.object({
            code: z.string().max(40).regex(NO_CONTROL_CHARACTERS, "no control characters").optional(),
          }),
          response: { 200: z.array(TubeViewSchema), ...errors },
        },
      },
      async (request) => {
        checkScope(authOf(request), request.params.siteCode);
        return siteTubes(db, request.params.siteCode, request.query.code);
      },
    );

    app.get(
      "/sites/:siteCode/conflicts",
      {
        schema: {
          tags: ["sites"],
          security: [{ bearer: [] }],
          params: SiteParams,
          response: { 200: z.array(ConflictSchema), ...errors },
        },
      },
      async (request) => {
        checkScope(authOf(request), request.params.siteCode);
        return siteConflicts(db, request.params.siteCode);
      },
    );

    app.get(
      "/sites/:siteCode/boxes",
      {
        schema: {
          tags: ["sites"],
          security: [{ bearer: [] }],
          params: SiteParams,
          response: { 200: z.array(BoxViewSchema), ...errors },
        },
      },
      async (request) => {
        checkScope(authOf(request), request.params.siteCode);
        return siteBoxes(db, request.params.siteCode);
      },
    );
  };
