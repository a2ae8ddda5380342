import { createHash, randomBytes } from "node:crypto";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ExportRequestSchema, ExportTicketSchema } from "../../domain/command";
import { ErrorBodySchema } from "../../domain/protocol";
import { siteDayStart } from "../../domain/siteDay";
import { audit } from "../audit/audit";
import { authenticate, authOf } from "../auth/authenticate";
import { listRounds } from "../dashboard/dashboard";
import type { Store } from "../db";
import { ApiError } from "../errors";
import { type ExportFilter, streamExport } from "../exports/exports";

const TICKET_TTL_MS = 60_000;
const hashOf = (ticket: string) => createHash("sha256").update(ticket).digest("hex");

const StoredRequestSchema = z.object({
  dataset: ExportRequestSchema.shape.dataset,
  format: ExportRequestSchema.shape.format,
  filter: z.object({
    district: z.string().nullable(),
    street: z.string().nullable(),
    site: z.string().nullable(),
    from: z.string().nullable(),
    to: z.string().nullable(),
  }),
  full: z.boolean(),
  reason: z.string().nullable(),
  described: z.record(z.string(), z.unknown()),
  fileName: z.string(),
});

/**
 * Exports: POST describes one (checked and scoped here) and answers a one-time ticket; GET of the ticket's URL
 * streams the file, so the browser saves it straight to disk however large, with no token in any URL.
 */
export const exportRoutes =
  (store: Store): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = store;
    const errors = { 400: ErrorBodySchema, 401: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema };

    app.post(
      "/exports",
      {
        onRequest: [
          authenticate(db),
          async (request) => {
            const { role } = authOf(request);
            if (role !== "admin" && role !== "site_lead") {
              throw new ApiError(403, "forbidden_role", "Only an administrator or a site lead may export data.");
            }
          },
        ],
        schema: {
          tags: ["command"],
          summary: "Ask for an export (CSV with BOM or XLSX); answers a one-time download URL",
          security: [{ bearer: [] }],
          body: ExportRequestSchema,
          response: { 200: ExportTicketSchema, ...errors },
        },
      },
      async (request) => {
        const auth = authOf(request);
        const body = request.body;
        let { district = null, street = null, site = null } = body;
        if (body.full && auth.role !== "admin") {
          throw new ApiError(403, "full_numbers_admin_only", "Only an administrator may export full numbers.");
        }
        if (body.full && !body.reason) {
          throw new ApiError(400, "reason_required", "Say why full document numbers and phones are needed.");
        }
        if (body.round && body.day) throw new ApiError(400, "round_or_day", "Give a round or a day, not both.");
        if (street !== null && district === null && site === null) {
          throw new ApiError(400, "street_needs_district", "Name the district of the street too.");
        }
        if (auth.role === "site_lead") {
          if (site !== null && site !== auth.siteCode) {
            throw new ApiError(403, "wrong_site", `This account may export site ${auth.siteCode} only.`);
          }
          site = auth.siteCode;
          district = null;
          street = null;
        } else if (auth.district !== null) {
          if (district !== null && district !== auth.district) {
            throw new ApiError(403, "other_district", `This account sees district ${auth.district} only.`);
          }
          district = auth.district;
        }
        if (site !== null) {
          const row = await db.selectFrom("sites").select("district").where("code", "=", site).executeTakeFirst();
          if (!row) throw new ApiError(404, "unknown_site", `There is no site ${site}.`);
          if (district !== null && row.district !== district) {
            throw new ApiError(403, "other_district", `Site ${site} is not in district ${district}.`);
          }
        }
        let from: string | null = null;
        let to: string | null = null;
        let period = "all";
        if (body.round) {
          const round = (await listRounds(db)).find((r) => r.id === body.round);
          if (!round) throw new ApiError(404, "unknown_round", `There is no round ${body.round}.`);
          from = siteDayStart(round.startsOn);
          to = siteDayStart(round.endsOn, 1);
          period = `${round.startsOn}_${round.endsOn}`;
        } else if (body.day) {
          from = siteDayStart(body.day);
          to = siteDayStart(body.day, 1);
          period = body.day;
        }
        const filter: ExportFilter = { district, street, site, from, to };
        const fileName = `${body.dataset}-${site ?? district ?? "city"}-${period}${body.full ? "-full" : ""}.${body.format}`;
        const ticket = randomBytes(24).toString("base64url");
        const now = new Date();
        const stored: z.infer<typeof StoredRequestSchema> = {
          dataset: body.dataset,
          format: body.format,
          filter,
          full: body.full ?? false,
          reason: body.reason ?? null,
          described: { round: body.round ?? null, day: body.day ?? null, district, street, site },
          fileName,
        };
        const expiresAt = new Date(now.getTime() + TICKET_TTL_MS).toISOString();
        await db
          .insertInto("export_tickets")
          .values({
            hash: hashOf(ticket),
            staff_id: auth.staffId,
            request: JSON.stringify(stored),
            created_at: now.toISOString(),
            expires_at: expiresAt,
            used_at: null,
          })
          .execute();
        return { url: `/api/v1/exports/download/${ticket}`, expiresAt, fileName };
      },
    );

    app.get(
      "/exports/download/:ticket",
      {
        schema: {
          tags: ["command"],
          summary: "Download an export (once, within a minute of asking)",
          params: z.object({ ticket: z.string().min(10).max(100) }),
          response: { 200: z.unknown().describe("the CSV or XLSX file"), 404: ErrorBodySchema, 410: ErrorBodySchema },
        },
      },
      async (request, reply) => {
        const now = new Date().toISOString();
        const hash = hashOf(request.params.ticket);
        // Single use: the first GET takes the ticket; a second (or a copy of the URL) finds it used.
        const taken = await db
          .updateTable("export_tickets")
          .set({ used_at: now })
          .where("hash", "=", hash)
          .where("used_at", "is", null)
          .where("expires_at", ">", now)
          .returning(["staff_id", "request"])
          .executeTakeFirst();
        if (!taken) {
          const row = await db
            .selectFrom("export_tickets")
            .select(["used_at"])
            .where("hash", "=", hash)
            .executeTakeFirst();
          if (!row)
            throw new ApiError(404, "unknown_ticket", "This download link is not known; ask for the export again.");
          throw new ApiError(
            410,
            row.used_at ? "ticket_used" : "ticket_expired",
            "This download link was used already or has expired; ask for the export again.",
          );
        }
        const asked = StoredRequestSchema.parse(JSON.parse(taken.request));
        await audit(db, {
          action: "export",
          actor: taken.staff_id,
          siteCode: asked.filter.site,
          subject: asked.dataset,
          detail: { format: asked.format, full: asked.full, reason: asked.reason, ...asked.described },
        });
        const { stream, done } = streamExport(store, asked.dataset, asked.format, asked.filter, asked.full);
        done.then(
          (rows) => request.log.info({ dataset: asked.dataset, rows, by: taken.staff_id }, "export streamed"),
          (error: unknown) => request.log.warn({ err: error, dataset: asked.dataset }, "export stopped"),
        );
        reply
          .header(
            "content-type",
            asked.format === "csv"
              ? "text/csv; charset=utf-8"
              : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          )
          .header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(asked.fileName)}`)
          .header("cache-control", "no-store");
        return reply.send(stream);
      },
    );
  };
