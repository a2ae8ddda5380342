/**
 * The sync protocol between devices and the server: request and response bodies of /api/v1, as zod values shared by
 * both sides (the server also turns them into its OpenAPI document).
 */
import { z } from "zod";
import { DeviceIdSchema, NO_CONTROL_CHARACTERS, PoolSizeSchema, SiteCodeSchema } from "./events";

export const API_PREFIX = "/api/v1";
/** Most events one push may carry. */
export const MAX_PUSH_EVENTS = 500;
/** The batch a device sends when it has more queued. */
export const DEFAULT_PUSH_BATCH = 200;
/** Request bodies above this are refused with 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

export const ErrorBodySchema = z
  .object({
    code: z.string().describe("stable machine-readable error code"),
    message: z.string().describe("human-readable explanation"),
    details: z.unknown().optional(),
  })
  .meta({ id: "ErrorBody" });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const ROLES = ["collector", "site_lead", "admin", "lab"] as const;
export type Role = (typeof ROLES)[number];

export const SiteConfigSchema = z
  .object({
    code: SiteCodeSchema,
    name: z.string(),
    poolSize: PoolSizeSchema,
    tubePattern: z.string(),
    boxPattern: z.string(),
    phoneRequired: z.boolean(),
  })
  .meta({ id: "SiteConfig" });
export type SiteConfig = z.infer<typeof SiteConfigSchema>;

/** What a site lead may change; tubes already open keep the pool size they were opened with. */
export const SiteSettingsSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(64).optional(),
    poolSize: PoolSizeSchema.optional(),
    phoneRequired: z.boolean().optional(),
  })
  .meta({ id: "SiteSettings" });
export type SiteSettings = z.infer<typeof SiteSettingsSchema>;

export const LoginRequestSchema = z
  .object({
    username: z.string().trim().min(1).max(64).regex(NO_CONTROL_CHARACTERS, "no control characters"),
    password: z.string().min(1).max(256),
    deviceId: DeviceIdSchema,
  })
  .meta({ id: "LoginRequest" });
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

export const StaffSchema = z.object({ id: z.string(), username: z.string(), name: z.string(), role: z.enum(ROLES) });
export type Staff = z.infer<typeof StaffSchema>;

export const LoginResponseSchema = z
  .object({
    token: z.string(),
    expiresAt: z.iso.datetime(),
    staff: StaffSchema,
    site: SiteConfigSchema,
  })
  .meta({ id: "LoginResponse" });
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

export const PushRequestSchema = z
  .object({
    deviceId: DeviceIdSchema,
    /** Each event is validated on its own, so one bad event gets its own result instead of failing the batch. */
    events: z.array(z.unknown()).min(1).max(MAX_PUSH_EVENTS),
    /** Events queued on the device, this batch included: shown to administrators (list of devices). */
    pending: z.number().int().min(0).max(10_000_000).optional(),
    /** The device's clock when it sent the batch, to tell a wrong clock from a late upload. */
    deviceTime: z.iso.datetime({ offset: true }).optional(),
  })
  .meta({ id: "PushRequest" });
export type PushRequest = z.infer<typeof PushRequestSchema>;

export const EVENT_REJECTIONS = [
  "invalid_event",
  "event_conflict",
  "wrong_site",
  "wrong_device",
  "unknown_staff",
  "duplicate_in_batch",
] as const;
export type EventRejection = (typeof EVENT_REJECTIONS)[number];

export const PushResultSchema = z.discriminatedUnion("status", [
  z.object({ index: z.number().int(), id: z.string().nullable(), status: z.literal("accepted") }),
  z.object({ index: z.number().int(), id: z.string().nullable(), status: z.literal("duplicate") }),
  z.object({
    index: z.number().int(),
    id: z.string().nullable(),
    status: z.literal("rejected"),
    code: z.enum(EVENT_REJECTIONS),
    message: z.string(),
  }),
]);
export type PushResult = z.infer<typeof PushResultSchema>;

export const PushResponseSchema = z
  .object({ results: z.array(PushResultSchema), serverTime: z.iso.datetime() })
  .meta({ id: "PushResponse" });
export type PushResponse = z.infer<typeof PushResponseSchema>;

export const SiteSummarySchema = z
  .object({
    siteCode: SiteCodeSchema,
    tubes: z.number().int(),
    openTubes: z.number().int(),
    sealedTubes: z.number().int(),
    registrations: z.number().int().describe("registrations not voided"),
    voidedRegistrations: z.number().int(),
  })
  .meta({ id: "SiteSummary" });
export type SiteSummary = z.infer<typeof SiteSummarySchema>;

export const HealthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    version: z.string(),
    database: z.object({ reachable: z.boolean(), dialect: z.string() }),
  })
  .meta({ id: "Health" });
export type Health = z.infer<typeof HealthSchema>;

export const TubeMemberSchema = z.object({
  registrationId: z.string(),
  name: z.string(),
  docType: z.string(),
  docNumber: z.string(),
  registeredAt: z.string(),
});

export const TubeViewSchema = z
  .object({
    code: z.string(),
    capacity: z.number().int(),
    status: z.enum(["open", "sealed", "void"]),
    short: z.boolean(),
    boxCode: z.string().nullable(),
    transferredTo: z.string().nullable(),
    members: z.array(TubeMemberSchema).describe("registrations not voided, in registration order"),
  })
  .meta({ id: "TubeView" });
export type TubeView = z.infer<typeof TubeViewSchema>;

export const BoxViewSchema = z
  .object({
    code: z.string(),
    status: z.enum(["open", "closed", "handed_over"]),
    tubeCodes: z.array(z.string()),
    handover: z
      .object({
        at: z.string(),
        courierName: z.string(),
        courierPhone: z.string(),
        vehiclePlate: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: "BoxView" });
export type BoxView = z.infer<typeof BoxViewSchema>;

/** Conflicts between devices that only the server can see; recorded when events arrive, listed for the site. */
export const CONFLICT_KINDS = [
  "tube_over_capacity",
  "resident_in_two_tubes",
  "tube_in_two_boxes",
  "clock_skew",
] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];

export const ConflictSchema = z
  .object({
    kind: z.enum(CONFLICT_KINDS),
    subject: z.string().describe("the tube, resident (type:number:day), or device concerned"),
    detail: z.record(z.string(), z.unknown()),
    eventId: z.string().nullable(),
    detectedAt: z.string(),
  })
  .meta({ id: "Conflict" });
export type Conflict = z.infer<typeof ConflictSchema>;

/** Device clocks further than this from the server's are a conflict (registration times would be wrong). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
