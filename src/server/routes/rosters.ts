import { stringify } from "csv-stringify/sync";
import ExcelJS from "exceljs";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DOC_TYPE_NAMES } from "../../domain/documentNames";
import { SiteCodeSchema } from "../../domain/events";
import { ErrorBodySchema } from "../../domain/protocol";
import {
  CoverageQuerySchema,
  CoverageSchema,
  ExemptionRequestSchema,
  RosterCardsQuerySchema,
  RosterCardsSchema,
  RosterImportReportSchema,
  RosterResidentSchema,
  SiteRosterSchema,
  UnsampledListSchema,
  UnsampledQuerySchema,
} from "../../domain/roster";
import { audit } from "../audit/audit";
import { authenticate, authOf } from "../auth/authenticate";
import type { Store } from "../db";
import { ApiError } from "../errors";
import { acceptSpooledUploads, isSpooled } from "../files/spooledUpload";
import { spreadsheetApiError, spreadsheetFormatOf, XLSX_MIME } from "../files/spreadsheet";
import {
  coverage,
  exempt,
  rosterCards,
  rosterViewer,
  siteRoster,
  unsampledForExport,
  unsampledList,
  withdrawExemption,
} from "../rosters/coverage";
import { importRoster, rosterTemplate } from "../rosters/rosterImport";

const errors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  409: ErrorBodySchema,
  413: ErrorBodySchema,
  415: ErrorBodySchema,
};

/** A district's roster (500,000 rows) is about 40 MB as CSV, 25 MB as XLSX. */
const ROSTER_BODY_LIMIT = 100 * 1024 * 1024;

const EXEMPTION_NAMES: Record<string, string> = {
  away: "外出",
  hospitalised: "住院",
  sampled_elsewhere: "已在他处采样",
};

/** Rosters: import and template, coverage, the not-yet-sampled list and its export, exemptions; phones' pull. */
export const rosterRoutes =
  (store: Store): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = store;
    app.addHook("onRequest", authenticate(db));
    // A district's roster file goes to a temporary file as it arrives, not into memory (removed after the answer).
    acceptSpooledUploads(app, ["text/csv", XLSX_MIME], ROSTER_BODY_LIMIT);

    app.post(
      "/rosters/import",
      {
        bodyLimit: ROSTER_BODY_LIMIT,
        schema: {
          tags: ["rosters"],
          summary: "Import a roster file (CSV or XLSX): each grid it names is replaced by its rows",
          security: [{ bearer: [] }],
          querystring: z.object({ site: SiteCodeSchema.optional() }),
          response: { 200: RosterImportReportSchema, ...errors },
        },
      },
      async (request) => {
        const body = request.body;
        if (!isSpooled(body) || body.bytes === 0) {
          throw new ApiError(400, "empty_file", "Send the roster file's bytes as text/csv or XLSX.");
        }
        const format = spreadsheetFormatOf(request.headers["content-type"]);
        try {
          return await importRoster(store, body, format, authOf(request), {
            ...(request.query.site ? { site: request.query.site } : {}),
          });
        } catch (error) {
          throw spreadsheetApiError(error);
        }
      },
    );

    app.get(
      "/rosters/template",
      {
        schema: {
          tags: ["rosters"],
          security: [{ bearer: [] }],
          querystring: z.object({ format: z.enum(["csv", "xlsx"]).default("xlsx") }),
          response: { 200: z.unknown().describe("the template file"), ...errors },
        },
      },
      async (request, reply) => {
        rosterViewer(authOf(request));
        const { format } = request.query;
        reply
          .header("content-type", format === "csv" ? "text/csv; charset=utf-8" : XLSX_MIME)
          .header("content-disposition", `attachment; filename="roster-template.${format}"`);
        return reply.send(await rosterTemplate(format));
      },
    );

    app.get(
      "/rosters/coverage",
      {
        schema: {
          tags: ["rosters"],
          summary: "Coverage of a place (city, district, street, site) for a day or a round",
          security: [{ bearer: [] }],
          querystring: CoverageQuerySchema,
          response: { 200: CoverageSchema, ...errors },
        },
      },
      async (request, reply) => {
        reply.header("cache-control", "no-store");
        return coverage(db, authOf(request), request.query);
      },
    );

    app.get(
      "/rosters/unsampled",
      {
        schema: {
          tags: ["rosters"],
          summary: "A site's residents not yet sampled in the period (and those exempted)",
          security: [{ bearer: [] }],
          querystring: UnsampledQuerySchema,
          response: { 200: UnsampledListSchema, ...errors },
        },
      },
      async (request, reply) => {
        reply.header("cache-control", "no-store");
        return unsampledList(db, authOf(request), request.query);
      },
    );

    app.get(
      "/rosters/unsampled/export",
      {
        schema: {
          tags: ["rosters"],
          summary: "The not-yet-sampled list as CSV (UTF-8 with BOM) or XLSX, for door-to-door calls",
          security: [{ bearer: [] }],
          querystring: UnsampledQuerySchema.extend({ format: z.enum(["csv", "xlsx"]).default("xlsx") }),
          response: { 200: z.unknown().describe("the file"), ...errors },
        },
      },
      async (request, reply) => {
        const { format, ...query } = request.query;
        const auth = authOf(request);
        const list = await unsampledForExport(db, auth, query);
        const header = ["姓名", "证件类型", "证件号码", "手机号", "社区", "网格"];
        const rows = list.residents.map((r) => [
          r.name,
          DOC_TYPE_NAMES.zh[r.docType],
          r.docNumber,
          r.phone ?? "",
          r.community,
          r.grid,
        ]);
        await audit(db, {
          action: "export",
          actor: auth.staffId,
          siteCode: query.site,
          subject: "unsampled",
          detail: { ...query, format, rows: rows.length, from: list.from, to: list.to },
        });
        const name = `unsampled-${query.site}-${list.from}${list.to !== list.from ? `_${list.to}` : ""}.${format}`;
        reply.header("content-disposition", `attachment; filename="${name}"`).header("cache-control", "no-store");
        if (format === "csv") {
          reply.header("content-type", "text/csv; charset=utf-8");
          return reply.send(Buffer.from(`\uFEFF${stringify([header, ...rows])}`, "utf8"));
        }
        const workbook = new ExcelJS.Workbook();
        const sheet = workbook.addWorksheet("未采样");
        sheet.addRow(header).font = { bold: true };
        for (const row of rows) sheet.addRow(row);
        sheet.columns.forEach((column, i) => {
          column.width = [10, 14, 22, 14, 16, 12][i] ?? 12;
        });
        reply.header("content-type", XLSX_MIME);
        return reply.send(Buffer.from(await workbook.xlsx.writeBuffer()));
      },
    );

    app.get(
      "/rosters/cards",
      {
        schema: {
          tags: ["rosters"],
          summary: "Residents of a site or grid for printed resident-code cards (full numbers); audited",
          security: [{ bearer: [] }],
          querystring: RosterCardsQuerySchema,
          response: { 200: RosterCardsSchema, ...errors },
        },
      },
      async (request, reply) => {
        reply.header("cache-control", "no-store");
        return rosterCards(db, authOf(request), request.query);
      },
    );

    app.post(
      "/rosters/entries/:id/exemption",
      {
        schema: {
          tags: ["rosters"],
          summary: `Exempt a resident from coverage (${Object.entries(EXEMPTION_NAMES)
            .map(([k, v]) => `${k}: ${v}`)
            .join(", ")}); audited`,
          security: [{ bearer: [] }],
          params: z.object({ id: z.uuid() }),
          body: ExemptionRequestSchema,
          response: { 200: RosterResidentSchema, ...errors },
        },
      },
      async (request) => exempt(db, authOf(request), request.params.id, request.body),
    );

    app.delete(
      "/rosters/entries/:id/exemption",
      {
        schema: {
          tags: ["rosters"],
          summary: "Withdraw a resident's exemption; audited",
          security: [{ bearer: [] }],
          params: z.object({ id: z.uuid() }),
          response: { 200: RosterResidentSchema, ...errors },
        },
      },
      async (request) => withdrawExemption(db, authOf(request), request.params.id),
    );

    app.get(
      "/sites/:siteCode/roster",
      {
        schema: {
          tags: ["rosters"],
          summary: "The site's roster for its phones (no phone numbers); 304 when If-None-Match is its version",
          security: [{ bearer: [] }],
          params: z.object({ siteCode: SiteCodeSchema }),
          response: { 200: SiteRosterSchema, 304: z.null().describe("unchanged"), ...errors },
        },
      },
      async (request, reply) => {
        const auth = authOf(request);
        if (auth.siteCode !== request.params.siteCode) {
          throw new ApiError(403, "wrong_site", `This token may only read site ${auth.siteCode || "(none)"}.`);
        }
        const current = await db
          .selectFrom("sites")
          .select("roster_version")
          .where("code", "=", request.params.siteCode)
          .executeTakeFirst();
        const etag = `"${current?.roster_version ?? ""}"`;
        reply.header("cache-control", "no-store").header("etag", etag);
        if (current && request.headers["if-none-match"] === etag) return reply.code(304).send(null);
        reply.serializer(JSON.stringify);
        return siteRoster(db, request.params.siteCode);
      },
    );
  };
