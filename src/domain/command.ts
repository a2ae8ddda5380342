/**
 * The command centre's side of the protocol: districts, streets and rounds; the dashboard at each level (city →
 * district → street → site); as zod values the server validates with and documents, and the console imports.
 */
import "./zodConfig";
import { z } from "zod";
import { NO_CONTROL_CHARACTERS, SiteCodeSchema } from "./events";
import { TurnaroundSchema } from "./labs";

/** A district (区/县) or street (街道) name: what the sites were given, 1–50 characters. */
export const PlaceNameSchema = z.string().trim().min(1).max(50).regex(NO_CONTROL_CHARACTERS, "no control characters");

/** A calendar day that exists (2026-13-45 and 2026-02-30 do not). */
export const DaySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a day: YYYY-MM-DD")
  .refine((day) => {
    const time = Date.parse(`${day}T00:00:00Z`);
    return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === day;
  }, "no such day");

export const RoundSchema = z
  .object({ id: z.string(), name: z.string(), startsOn: DaySchema, endsOn: DaySchema })
  .meta({ id: "Round" });
export type Round = z.infer<typeof RoundSchema>;

export const LEVELS = ["city", "district", "street", "site"] as const;
export type Level = (typeof LEVELS)[number];

export const DashboardQuerySchema = z.strictObject({
  district: PlaceNameSchema.optional(),
  street: PlaceNameSchema.optional(),
  site: SiteCodeSchema.optional(),
  /** A round's figures (all its days); else one day (default today). */
  round: z.string().min(1).max(64).optional(),
  day: DaySchema.optional(),
});
export type DashboardQuery = z.infer<typeof DashboardQuerySchema>;

const count = z.number().int();

export const FiguresSchema = z
  .object({
    registrations: count.describe("residents registered (voided ones not counted)"),
    voided: count,
    lastHour: count.describe("registrations in the last six ten-minute buckets, the current one included"),
    tubes: z.object({ open: count, sealed: count, short: count, void: count }),
    boxes: z.object({ packing: count, packed: count, handedOver: count, received: count }),
    results: z.object({ negative: count, positive: count, invalid: count, rejected: count, pending: count }),
  })
  .meta({ id: "Figures" });
export type Figures = z.infer<typeof FiguresSchema>;

export const DashboardChildSchema = z.object({
  level: z.enum(LEVELS),
  /** What to ask for to drill down: the district, street or site code. */
  key: z.string(),
  label: z.string(),
  figures: FiguresSchema,
});

export const DashboardSiteSchema = z.object({
  code: z.string(),
  name: z.string(),
  district: z.string(),
  street: z.string(),
  registrations: count,
  ratePerHour: count,
  lastRegistrationAt: z.string().nullable(),
  /** No registration for 20 minutes while a round runs (today only). */
  silent: z.boolean(),
});

export const DashboardDeviceSchema = z.object({
  id: z.string(),
  siteCode: z.string(),
  staffName: z.string(),
  lastSyncAt: z.string(),
  queuedEvents: z.number().int().nullable(),
  clockSkewSeconds: z.number().int().nullable(),
  /** Not synced for 30 minutes while a round runs (today only), or with events still queued at its last push. */
  stale: z.boolean(),
});

export const DashboardConflictSchema = z.object({
  siteCode: z.string(),
  kind: z.string(),
  subject: z.string(),
  detail: z.record(z.string(), z.unknown()),
  detectedAt: z.string(),
});

export const DashboardSchema = z
  .object({
    scope: z.object({
      level: z.enum(LEVELS),
      district: z.string().nullable(),
      street: z.string().nullable(),
      site: z.object({ code: z.string(), name: z.string() }).nullable(),
    }),
    period: z.object({ from: DaySchema, to: DaySchema, round: RoundSchema.nullable(), today: DaySchema }),
    roundRunning: z.boolean(),
    figures: FiguresSchema,
    children: z.array(DashboardChildSchema),
    /** Registrations per ten minutes, one series per child (per site at site level), from `start` (UTC). */
    chart: z.object({
      start: z.string(),
      bucketMinutes: z.literal(10),
      series: z.array(z.object({ key: z.string(), label: z.string(), counts: z.array(count) })),
    }),
    sites: z.array(DashboardSiteSchema),
    devices: z.object({ total: count, stale: count, list: z.array(DashboardDeviceSchema) }),
    conflicts: z.array(DashboardConflictSchema),
    labs: z.array(TurnaroundSchema.extend({ name: z.string() })),
    rounds: z.array(RoundSchema),
    generatedAt: z.string(),
  })
  .meta({ id: "Dashboard" });
export type Dashboard = z.infer<typeof DashboardSchema>;

/** How often the console asks again: within 5 s of a push the figures show it (see the README). */
export const DASHBOARD_POLL_MS = 3_000;
export const SILENT_AFTER_MINUTES = 20;
export const STALE_DEVICE_AFTER_MINUTES = 30;

// --- lookups ---------------------------------------------------------------------------------------------------------

export const LOOKUP_KINDS = ["resident", "tube", "box"] as const;
export type LookupKind = (typeof LOOKUP_KINDS)[number];

/** An admin's lookup: what (a document number, a tube or box code) and why (kept in the audit log). */
export const LookupRequestSchema = z
  .strictObject({
    kind: z.enum(LOOKUP_KINDS),
    code: z.string().trim().min(2).max(64).regex(NO_CONTROL_CHARACTERS, "no control characters"),
    /** A tube or box code is unique within its site; without a site every site's match is shown. */
    site: SiteCodeSchema.optional(),
    reason: z.string().trim().min(2).max(200).regex(NO_CONTROL_CHARACTERS, "no control characters"),
  })
  .meta({ id: "LookupRequest" });
export type LookupRequest = z.infer<typeof LookupRequestSchema>;

const LookupResidentSchema = z.object({
  registrationId: z.string(),
  name: z.string(),
  docType: z.string(),
  docNumber: z.string(),
  phone: z.string().nullable(),
  community: z.string().nullable(),
  registeredAt: z.string(),
  voided: z.boolean(),
});

const LookupTubeSchema = z.object({
  siteCode: z.string(),
  siteName: z.string(),
  tubeCode: z.string(),
  status: z.string(),
  capacity: z.number().int(),
  openedAt: z.string(),
  sealedAt: z.string().nullable(),
  boxCode: z.string().nullable(),
  result: z.object({ outcome: z.string(), resultedAt: z.string(), labCode: z.string() }).nullable(),
});

export const LookupAnswerSchema = z
  .object({
    kind: z.enum(LOOKUP_KINDS),
    /** resident: their registrations, each with its tube; tube: the tube(s) and their residents. */
    registrations: z.array(LookupResidentSchema.extend({ tube: LookupTubeSchema })),
    tubes: z.array(LookupTubeSchema.extend({ residents: z.array(LookupResidentSchema) })),
    boxes: z.array(
      z.object({
        siteCode: z.string(),
        siteName: z.string(),
        boxCode: z.string(),
        status: z.string(),
        openedAt: z.string(),
        closedAt: z.string().nullable(),
        handedOverAt: z.string().nullable(),
        courierName: z.string().nullable(),
        courierPhone: z.string().nullable(),
        vehiclePlate: z.string().nullable(),
        destinationLab: z.string().nullable(),
        receipt: z.object({ labCode: z.string(), receivedAt: z.string(), receivedBy: z.string() }).nullable(),
        tubes: z.array(LookupTubeSchema),
      }),
    ),
  })
  .meta({ id: "LookupAnswer" });
export type LookupAnswer = z.infer<typeof LookupAnswerSchema>;

// --- exports ---------------------------------------------------------------------------------------------------------

export const EXPORT_DATASETS = ["registrations", "tubes", "boxes", "results", "recalls"] as const;
export type ExportDataset = (typeof EXPORT_DATASETS)[number];

export const ExportRequestSchema = z
  .strictObject({
    dataset: z.enum(EXPORT_DATASETS),
    format: z.enum(["csv", "xlsx"]),
    district: PlaceNameSchema.optional(),
    street: PlaceNameSchema.optional(),
    site: SiteCodeSchema.optional(),
    round: z.string().min(1).max(64).optional(),
    day: DaySchema.optional(),
    /** Document numbers and phones in full (admins only, with a reason); masked otherwise. */
    full: z.boolean().default(false),
    reason: z.string().trim().min(2).max(200).regex(NO_CONTROL_CHARACTERS, "no control characters").optional(),
  })
  .meta({ id: "ExportRequest" });
export type ExportRequest = z.input<typeof ExportRequestSchema>;

export const ExportTicketSchema = z
  .object({
    /** GET it within a minute, once: the file streams from the database to the download. */
    url: z.string(),
    expiresAt: z.string(),
    fileName: z.string(),
  })
  .meta({ id: "ExportTicket" });
export type ExportTicket = z.infer<typeof ExportTicketSchema>;
