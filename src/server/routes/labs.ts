import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { LabelCodeSchema, SiteCodeSchema } from "../../domain/events";
import {
  BoxForLabSchema,
  LabCodeSchema,
  RecallListSchema,
  RecallUpdateSchema,
  ReceiptReportSchema,
  ReceiveBoxRequestSchema,
  ResultBatchResponseSchema,
  ResultBatchSchema,
  TubeTimelineSchema,
  TurnaroundSchema,
  UploadReportSchema,
} from "../../domain/labs";
import { ErrorBodySchema } from "../../domain/protocol";
import { audit } from "../audit/audit";
import { authenticate, authOf } from "../auth/authenticate";
import type { Authenticated } from "../auth/tokens";
import type { Store } from "../db";
import { ApiError } from "../errors";
import { acceptSpreadsheets, spreadsheetFormatOf } from "../files/spreadsheet";
import { findLab } from "../labs/labs";
import { recallSheet } from "../labs/recallExport";
import { listRecalls, markContacted } from "../labs/recalls";
import { boxForLab, receiveBox, receiveLateTube } from "../labs/receiving";
import {
  type ParsedRow,
  parseResultFile,
  ResultFileError,
  type ResultFileFormat,
  ResultFileTooLarge,
  resultTemplate,
  XLSX_MIME,
} from "../labs/resultFile";
import { recordResults } from "../labs/results";
import { labTurnaround, tubeTimeline } from "../labs/turnaround";

const LabParams = z.object({ labCode: LabCodeSchema });
const errors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  409: ErrorBodySchema,
};

/**
 * Lab operations (the lab's own staff; admins may read): look up and receive boxes, record results (console, upload,
 * or a LIS over the API), recall lists and their states, turnaround. Station staff get 403 on every one.
 */
export const labRoutes =
  (store: Store): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = store;
    app.addHook("onRequest", authenticate(db));
    // Result files come as the file's bytes (CSV or XLSX), up to 20 MB (a day's LIS export).
    acceptSpreadsheets(app, 20 * 1024 * 1024);

    /** The lab's staff may act; an admin may read (`write` false). Others: 403. The lab must exist (404). */
    async function checkLab(auth: Authenticated, labCode: string, write: boolean): Promise<void> {
      if (auth.role !== "lab" && !(auth.role === "admin" && !write)) {
        throw new ApiError(403, "forbidden_role", "Only a lab's own staff may do this.");
      }
      if (auth.role === "lab" && auth.labCode !== labCode) {
        throw new ApiError(403, "wrong_lab", `This token belongs to lab ${auth.labCode ?? "none"}.`);
      }
      if (!(await findLab(db, labCode))) throw new ApiError(404, "unknown_lab", `There is no lab ${labCode}.`);
    }

    app.get(
      "/labs/:labCode/boxes/:boxCode",
      {
        schema: {
          tags: ["labs"],
          security: [{ bearer: [] }],
          params: LabParams.extend({ boxCode: LabelCodeSchema }),
          querystring: z.object({ site: SiteCodeSchema.optional() }),
          response: { 200: BoxForLabSchema, ...errors },
        },
      },
      async (request) => {
        await checkLab(authOf(request), request.params.labCode, false);
        return boxForLab(db, request.params.labCode, request.params.boxCode, request.query.site);
      },
    );

    app.post(
      "/labs/:labCode/boxes/:boxCode/receive",
      {
        schema: {
          tags: ["labs"],
          security: [{ bearer: [] }],
          params: LabParams.extend({ boxCode: LabelCodeSchema }),
          body: ReceiveBoxRequestSchema,
          response: { 200: ReceiptReportSchema, ...errors },
        },
      },
      async (request) => {
        const auth = authOf(request);
        await checkLab(auth, request.params.labCode, true);
        return receiveBox(db, store.dialect, {
          labCode: request.params.labCode,
          staffId: auth.staffId,
          boxCode: request.params.boxCode,
          ...(request.body.siteCode ? { siteCode: request.body.siteCode } : {}),
          ...(request.body.scannedTubes ? { scannedTubes: request.body.scannedTubes } : {}),
        });
      },
    );

    app.post(
      "/labs/:labCode/tubes/:tubeCode/receive",
      {
        schema: {
          tags: ["labs"],
          summary: "Receive a tube that arrived after its box (missing at the bench, found later)",
          security: [{ bearer: [] }],
          params: LabParams.extend({ tubeCode: LabelCodeSchema }),
          body: z.strictObject({ siteCode: SiteCodeSchema.optional() }),
          response: {
            200: z.object({
              siteCode: z.string(),
              tubeCode: z.string(),
              boxCode: z.string(),
              alreadyReceived: z.boolean(),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const auth = authOf(request);
        await checkLab(auth, request.params.labCode, true);
        return receiveLateTube(db, store.dialect, {
          labCode: request.params.labCode,
          staffId: auth.staffId,
          tubeCode: request.params.tubeCode,
          ...(request.body.siteCode ? { siteCode: request.body.siteCode } : {}),
        });
      },
    );

    app.post(
      "/labs/:labCode/results",
      {
        schema: {
          tags: ["labs"],
          summary: "Record results per tube (console, upload, or a LIS)",
          description:
            "Idempotent per result id: the same id and content again answers `duplicate`; the same id with other " +
            "content is refused (`result_id_conflict`). A tube not received at this lab is refused (`not_received`). " +
            "A different result for a tube that has one needs a `reason` (else `conflicting_result`); it is recorded " +
            "as a new result that replaces the old, never an overwrite. A positive or invalid pooled tube puts its " +
            "residents on the recall list at once. Each row gets its own outcome; refused rows change nothing.",
          security: [{ bearer: [] }],
          params: LabParams,
          querystring: z.object({ source: z.enum(["api", "console", "upload"]).default("api") }),
          body: ResultBatchSchema,
          response: { 200: ResultBatchResponseSchema, ...errors },
        },
      },
      async (request) => {
        const auth = authOf(request);
        await checkLab(auth, request.params.labCode, true);
        const rows = await recordResults(db, store.dialect, {
          labCode: request.params.labCode,
          staffId: auth.staffId,
          source: request.query.source,
          results: request.body.results,
        });
        return { rows };
      },
    );

    app.post(
      "/labs/:labCode/results/upload",
      {
        schema: {
          tags: ["labs"],
          summary: "Upload a result file (CSV or XLSX, the template's columns)",
          description:
            "Send the file's bytes as text/csv or as the XLSX type. Each data row is validated and reported with its " +
            "line number (the header is line 1): recorded, changed, duplicate, or refused with a code (bad_row for an " +
            "unreadable row). Uploading the same file again changes nothing.",
          security: [{ bearer: [] }],
          params: LabParams,
          response: { 200: UploadReportSchema, ...errors, 413: ErrorBodySchema, 415: ErrorBodySchema },
        },
      },
      async (request) => {
        const auth = authOf(request);
        await checkLab(auth, request.params.labCode, true);
        const body = request.body;
        if (!Buffer.isBuffer(body) || body.length === 0) {
          throw new ApiError(400, "empty_file", "Send the result file's bytes as text/csv or XLSX.");
        }
        const format: ResultFileFormat = spreadsheetFormatOf(request.headers["content-type"]);
        let parsed: ParsedRow[];
        try {
          parsed = await parseResultFile(body, format, request.params.labCode);
        } catch (error) {
          if (error instanceof ResultFileTooLarge) throw new ApiError(413, "file_too_large", error.message);
          if (error instanceof ResultFileError) throw new ApiError(400, "unreadable_file", error.message);
          throw error;
        }
        const good = parsed.filter((row): row is Extract<ParsedRow, { input: unknown }> => "input" in row);
        const outcomes =
          good.length === 0
            ? []
            : await recordResults(db, store.dialect, {
                labCode: request.params.labCode,
                staffId: auth.staffId,
                source: "upload",
                results: good.map((row) => row.input),
              });
        const byLine = new Map(good.map((row, i) => [row.line, outcomes[i]]));
        return {
          format,
          rows: parsed.map((row) => {
            const outcome = byLine.get(row.line);
            return "input" in row && outcome
              ? { line: row.line, ...outcome }
              : {
                  line: row.line,
                  resultId: "",
                  tubeCode: "tubeCode" in row ? row.tubeCode : "",
                  status: "refused" as const,
                  code: "bad_row" as const,
                  message: "problem" in row ? row.problem : "",
                };
          }),
        };
      },
    );

    app.get(
      "/labs/results-template",
      {
        schema: {
          tags: ["labs"],
          summary: "The result file template (CSV with BOM, or XLSX)",
          security: [{ bearer: [] }],
          querystring: z.object({ format: z.enum(["csv", "xlsx"]).default("xlsx") }),
        },
      },
      async (request, reply) => {
        const auth = authOf(request);
        if (auth.role !== "lab" && auth.role !== "admin") {
          throw new ApiError(403, "forbidden_role", "Only lab staff and admins may fetch the result template.");
        }
        const format = request.query.format;
        reply
          .header("content-type", format === "csv" ? "text/csv; charset=utf-8" : XLSX_MIME)
          .header("content-disposition", `attachment; filename="result-template.${format}"`);
        return resultTemplate(format);
      },
    );

    app.get(
      "/labs/:labCode/recalls",
      {
        schema: {
          tags: ["labs"],
          security: [{ bearer: [] }],
          params: LabParams,
          querystring: z.object({ tube: LabelCodeSchema.optional(), open: z.enum(["1", "0"]).optional() }),
          response: { 200: RecallListSchema, ...errors },
        },
      },
      async (request) => {
        await checkLab(authOf(request), request.params.labCode, false);
        return {
          recalls: await listRecalls(db, {
            labCode: request.params.labCode,
            ...(request.query.tube ? { tubeCode: request.query.tube } : {}),
            open: request.query.open === "1",
          }),
        };
      },
    );

    app.get(
      "/labs/:labCode/recalls/export",
      {
        schema: {
          tags: ["labs"],
          summary: "A recall list as CSV (UTF-8 with BOM) or XLSX",
          security: [{ bearer: [] }],
          params: LabParams,
          querystring: z.object({ tube: LabelCodeSchema.optional(), format: z.enum(["csv", "xlsx"]).default("xlsx") }),
        },
      },
      async (request, reply) => {
        const auth = authOf(request);
        await checkLab(auth, request.params.labCode, false);
        const recalls = await listRecalls(db, {
          labCode: request.params.labCode,
          ...(request.query.tube ? { tubeCode: request.query.tube } : {}),
        });
        const format = request.query.format;
        await audit(db, {
          action: "export",
          actor: auth.staffId,
          subject: `recalls:${request.params.labCode}${request.query.tube ? `:${request.query.tube}` : ""}`,
          detail: { format, rows: recalls.length },
        });
        reply
          .header("content-type", format === "csv" ? "text/csv; charset=utf-8" : XLSX_MIME)
          .header("content-disposition", `attachment; filename="recalls-${request.params.labCode}.${format}"`);
        return recallSheet(recalls, format);
      },
    );

    app.get(
      "/labs/:labCode/turnaround",
      {
        schema: {
          tags: ["labs"],
          security: [{ bearer: [] }],
          params: LabParams,
          response: { 200: TurnaroundSchema, ...errors },
        },
      },
      async (request) => {
        await checkLab(authOf(request), request.params.labCode, false);
        return labTurnaround(db, request.params.labCode);
      },
    );

    app.get(
      "/labs/:labCode/tubes/:tubeCode/timeline",
      {
        schema: {
          tags: ["labs"],
          security: [{ bearer: [] }],
          params: LabParams.extend({ tubeCode: LabelCodeSchema }),
          querystring: z.object({ site: SiteCodeSchema }),
          response: {
            200: TubeTimelineSchema,
            ...errors,
          },
        },
      },
      async (request) => {
        await checkLab(authOf(request), request.params.labCode, false);
        // Only a tube received at this lab: another lab's times are not this lab's to read.
        const receipt = await db
          .selectFrom("tube_receipts")
          .select("lab_code")
          .where("site_code", "=", request.query.site)
          .where("tube_code", "=", request.params.tubeCode)
          .executeTakeFirst();
        const timeline =
          receipt?.lab_code === request.params.labCode
            ? await tubeTimeline(db, request.query.site, request.params.tubeCode)
            : null;
        if (!timeline) {
          throw new ApiError(404, "unknown_tube", `No tube ${request.params.tubeCode} was received at this lab.`);
        }
        return timeline;
      },
    );

    app.get(
      "/sites/:siteCode/recalls",
      {
        schema: {
          tags: ["labs"],
          security: [{ bearer: [] }],
          params: z.object({ siteCode: SiteCodeSchema }),
          querystring: z.object({ open: z.enum(["1", "0"]).optional() }),
          response: { 200: RecallListSchema, ...errors },
        },
      },
      async (request) => {
        const auth = authOf(request);
        if (auth.siteCode !== request.params.siteCode && auth.role !== "admin") {
          throw new ApiError(403, "wrong_site", `This token may only read site ${auth.siteCode || "(none)"}.`);
        }
        return {
          recalls: await listRecalls(db, { siteCode: request.params.siteCode, open: request.query.open === "1" }),
        };
      },
    );

    app.post(
      "/recalls/:recallId/contacted",
      {
        schema: {
          tags: ["labs"],
          security: [{ bearer: [] }],
          params: z.object({ recallId: z.uuid() }),
          body: RecallUpdateSchema,
          response: { 200: z.object({ ok: z.literal(true) }), ...errors },
        },
      },
      async (request) => {
        const auth = authOf(request);
        await markContacted(
          db,
          request.params.recallId,
          { staffId: auth.staffId, siteCode: auth.siteCode || null, labCode: auth.labCode, role: auth.role },
          request.body.note,
        );
        return { ok: true as const };
      },
    );
  };
