import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ErrorBodySchema } from "../../domain/protocol";
import { authenticate, authOf } from "../auth/authenticate";
import type { Store } from "../db";
import { ApiError } from "../errors";
import { acceptSpreadsheets, spreadsheetApiError, spreadsheetFormatOf, XLSX_MIME } from "../files/spreadsheet";
import { importSites, siteTemplate } from "../sites/siteImport";

const SiteImportReportSchema = z
  .object({
    rows: z.array(
      z.object({
        line: z.number().int(),
        code: z.string(),
        status: z.enum(["created", "updated", "unchanged", "refused"]),
        problem: z.string().optional(),
        reason: z.string().optional(),
      }),
    ),
  })
  .meta({ id: "SiteImportReport" });

/** The city's sampling points from a CSV or XLSX file (city administrators), and the file's template. */
export const siteImportRoutes =
  (store: Store): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = store;
    acceptSpreadsheets(app, 10 * 1024 * 1024);
    const cityAdmin = async (request: Parameters<typeof authOf>[0]) => {
      const auth = authOf(request);
      if (auth.role !== "admin") throw new ApiError(403, "forbidden_role", "Only an administrator may import sites.");
      if (auth.district !== null) {
        throw new ApiError(403, "city_admin_only", "Only a city administrator may import sites.");
      }
    };

    app.post(
      "/admin/sites/import",
      {
        onRequest: [authenticate(db), cityAdmin],
        schema: {
          tags: ["command"],
          summary: "Create or update sites (code, name, district, street, pool size) from a CSV or XLSX file",
          security: [{ bearer: [] }],
          response: {
            200: SiteImportReportSchema,
            400: ErrorBodySchema,
            401: ErrorBodySchema,
            403: ErrorBodySchema,
            413: ErrorBodySchema,
            415: ErrorBodySchema,
          },
        },
      },
      async (request) => {
        const body = request.body;
        if (!Buffer.isBuffer(body) || body.length === 0) {
          throw new ApiError(400, "empty_file", "Send the sites file's bytes as text/csv or XLSX.");
        }
        const format = spreadsheetFormatOf(request.headers["content-type"]);
        try {
          return { rows: await importSites(db, body, format, authOf(request).staffId) };
        } catch (error) {
          throw spreadsheetApiError(error);
        }
      },
    );

    app.get(
      "/admin/sites/template",
      {
        onRequest: [authenticate(db), cityAdmin],
        schema: {
          tags: ["command"],
          security: [{ bearer: [] }],
          querystring: z.object({ format: z.enum(["csv", "xlsx"]).default("xlsx") }),
          response: { 200: z.unknown().describe("the template file"), 401: ErrorBodySchema, 403: ErrorBodySchema },
        },
      },
      async (request, reply) => {
        const { format } = request.query;
        reply
          .header("content-type", format === "csv" ? "text/csv; charset=utf-8" : XLSX_MIME)
          .header("content-disposition", `attachment; filename="sites-template.${format}"`);
        return reply.send(await siteTemplate(format));
      },
    );
  };
