/**
 * The sync protocol between devices and the server: request and response bodies of /api/v1, as zod values shared by
 * both sides (the server also turns them into its OpenAPI document).
 */
import "./zodConfig";
import { z } from "zod";
import { DeviceIdSchema, NO_CONTROL_CHARACTERS, PoolSizeSchema, SiteCodeSchema } from "./events";
import { MAX_PULL_EVENTS, MAX_PUSH_EVENTS } from "./limits";
import { ResidentFormatSchema } from "./residentFormatSchema";
import { MAX_RETENTION_DAYS } from "./retention";

// Re-exported: the server and tests import them with the schemas.
export {
  API_PREFIX,
  DEFAULT_PUSH_BATCH,
  MAX_BODY_BYTES,
  MAX_CLOCK_SKEW_MS,
  MAX_PULL_EVENTS,
  MAX_PUSH_EVENTS,
} from "./limits";

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

/** How long phones keep synced resident data after the box left (src/domain/retention.ts). */
export const RetentionDaysSchema = z.number().int().min(1).max(MAX_RETENTION_DAYS);

export const SiteConfigSchema = z
  .object({
    code: SiteCodeSchema,
    name: z.string(),
    poolSize: PoolSizeSchema,
    tubePattern: z.string(),
    boxPattern: z.string(),
    phoneRequired: z.boolean(),
    /** Days phones keep synced records once their box is handed over (absent from servers before it: 7). */
    retentionDays: RetentionDaysSchema.optional(),
    /** Other systems' resident codes this site reads (declared by the deployment's RESIDENT_FORMATS_FILE). */
    residentFormats: z.array(ResidentFormatSchema).optional(),
  })
  .meta({ id: "SiteConfig" });
export type SiteConfig = z.infer<typeof SiteConfigSchema>;

/** What a site lead may change; tubes already open keep the pool size they were opened with. */
export const SiteSettingsSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(64).optional(),
    poolSize: PoolSizeSchema.optional(),
    phoneRequired: z.boolean().optional(),
    retentionDays: RetentionDaysSchema.optional(),
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
  /** The device skipped sequence numbers: nothing after the server's mark is applied until the missing ones arrive. */
  "sequence_gap",
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
  .object({
    results: z.array(PushResultSchema),
    serverTime: z.iso.datetime(),
    /**
     * The device's high-water mark after this batch: every sequence number up to it has been applied (accepted, or
     * rejected and set aside on the device). After a `sequence_gap` the device resends from mark + 1.
     */
    mark: z.number().int().min(0),
  })
  .meta({ id: "PushResponse" });
export type PushResponse = z.infer<typeof PushResponseSchema>;

/** The answer to importing an exported queue (POST /admin/import): counts as a push's results would give them. */
export const ImportResponseSchema = z
  .object({
    deviceId: z.string(),
    siteCode: z.string(),
    events: z.number().int(),
    accepted: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.number().int(),
    /** The device's high-water mark afterwards. */
    mark: z.number().int().min(0),
    /** The first rejected events, with the reason (all are counted in `rejected`). */
    rejections: z.array(
      z.object({
        index: z.number().int(),
        id: z.string().nullable(),
        code: z.enum(EVENT_REJECTIONS),
        message: z.string(),
      }),
    ),
  })
  .meta({ id: "ImportResponse" });
export type ImportResponse = z.infer<typeof ImportResponseSchema>;

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

export const PullQuerySchema = z.object({
  /** The cursor of the last pull (0 at first): the site's event number after which to continue. */
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  /**
   * The id of the event at the cursor (`cursorId` of the last pull). A server restored from an older backup numbers
   * new events again from an earlier point: the id no longer matches, and the pull starts over from the beginning
   * (the device keeps what it has by event id).
   */
  afterId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PULL_EVENTS).default(500),
});
// No component id: OpenAPI wants a query's parameters inline, not a reference.
export type PullQuery = z.infer<typeof PullQuerySchema>;

export const PullResponseSchema = z
  .object({
    /** Events of the site's other devices, in the site's order (the device's own events it has already). */
    events: z.array(z.unknown()),
    /** Pass as `after` next time. */
    cursor: z.number().int().min(0),
    /** Pass as `afterId` next time (null at cursor 0). */
    cursorId: z.string().nullable(),
    /** The cursor did not match this server's events (restored from a backup): the page starts from the beginning. */
    restarted: z.boolean(),
    /** More events are waiting after the cursor. */
    more: z.boolean(),
    /**
     * The calling device's high-water mark on the server: a device holding events it marked synced beyond it knows
     * the server lost them (restored from an older backup) and sends them again.
     */
    mark: z.number().int().min(0),
  })
  .meta({ id: "PullResponse" });
export type PullResponse = z.infer<typeof PullResponseSchema>;
