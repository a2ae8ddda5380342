/**
 * The lab side of the protocol (the trace-back loop): receiving boxes, results per tube, recalls of a positive pool's
 * residents, the resident status page and turnaround — as zod values the server validates with and documents in its
 * OpenAPI, and the console imports.
 */
import "./zodConfig";
import { z } from "zod";
import { DOC_TYPES } from "./documents";
import { LabelCodeSchema, NO_CONTROL_CHARACTERS, SiteCodeSchema } from "./events";

const text = (max: number) => z.string().trim().min(1).max(max).regex(NO_CONTROL_CHARACTERS, "no control characters");

export const LabCodeSchema = z.string().regex(/^[A-Z0-9][A-Z0-9_-]{1,31}$/, "lab code: 2–32 of A–Z, 0–9, _, -");

export const ConsoleLoginRequestSchema = z
  .strictObject({ username: text(64), password: z.string().min(1).max(256) })
  .meta({ id: "ConsoleLoginRequest" });

export const ConsoleRoleSchema = z.enum(["lab", "admin", "site_lead", "collector"]);

export const ConsoleSessionSchema = z
  .object({
    token: z.string(),
    expiresAt: z.iso.datetime(),
    staff: z.object({ id: z.string(), username: z.string(), name: z.string(), role: ConsoleRoleSchema }),
    lab: z.object({ code: z.string(), name: z.string() }).nullable(),
    siteCode: z.string().nullable(),
    /** An admin's district (the command centre shows only it); null: the whole city, or not an admin. */
    district: z.string().nullable().optional(),
  })
  .meta({ id: "ConsoleSession" });
export type ConsoleSession = z.infer<typeof ConsoleSessionSchema>;

// --- receiving ---------------------------------------------------------------------------------------------------

/** Why a tube of a box is flagged at receipt. */
export const TUBE_FLAGS = ["missing", "extra_other_box", "extra_unknown", "voided", "unsynced"] as const;

export const BoxTubeSchema = z.object({
  tubeCode: z.string(),
  status: z.string(),
  /** People the tube was sealed with, as the phone said. */
  sealedCount: z.number().nullable(),
  /** Registrations the server holds for it (not voided). */
  registrations: z.number(),
  voided: z.number(),
  /** The phone that opened it, and when it last synced (for tubes whose registrations are not all uploaded). */
  device: z.object({ id: z.string(), lastSeenAt: z.string(), reportedPending: z.number().nullable() }).nullable(),
  received: z.boolean(),
});
export type BoxTube = z.infer<typeof BoxTubeSchema>;

export const BoxForLabSchema = z
  .object({
    siteCode: z.string(),
    siteName: z.string(),
    boxCode: z.string(),
    status: z.string(),
    handedOverAt: z.string().nullable(),
    destinationLab: z.string().nullable(),
    tubes: z.array(BoxTubeSchema),
    receipt: z.object({ labCode: z.string(), receivedAt: z.string(), receivedBy: z.string() }).nullable(),
  })
  .meta({ id: "BoxForLab" });
export type BoxForLab = z.infer<typeof BoxForLabSchema>;

export const ReceiveBoxRequestSchema = z
  .strictObject({
    /** The box's site, when the code alone is ambiguous (two sites used the same label). */
    siteCode: SiteCodeSchema.optional(),
    /** The tubes scanned at the bench; absent: the count was confirmed without scanning each. */
    scannedTubes: z.array(LabelCodeSchema).max(2000).optional(),
  })
  .meta({ id: "ReceiveBoxRequest" });

export const ReceiptReportSchema = z
  .object({
    siteCode: z.string(),
    boxCode: z.string(),
    labCode: z.string(),
    receivedAt: z.string(),
    receivedBy: z.string(),
    /** True when this box had been received before: nothing changed. */
    alreadyReceived: z.boolean(),
    expected: z.array(z.string()),
    received: z.array(z.string()),
    missing: z.array(z.string()),
    /** Scanned but in another box of the site, or known to no site. */
    extra: z.array(z.object({ tubeCode: z.string(), flag: z.enum(["extra_other_box", "extra_unknown"]) })),
    voided: z.array(z.string()),
    /** Tubes whose registrations are not all on the server yet: the phone, and its last sync. */
    unsynced: z.array(
      z.object({
        tubeCode: z.string(),
        sealedCount: z.number().nullable(),
        registrations: z.number(),
        deviceId: z.string().nullable(),
        lastSeenAt: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "ReceiptReport" });
export type ReceiptReport = z.infer<typeof ReceiptReportSchema>;

// --- results -----------------------------------------------------------------------------------------------------

export const OUTCOMES = ["negative", "positive", "invalid", "rejected"] as const;
export type Outcome = (typeof OUTCOMES)[number];
/** Outcomes that send a pooled tube's residents to be re-sampled one by one. */
export const RECALL_OUTCOMES: readonly Outcome[] = ["positive", "invalid"];

/** Ct values by target (e.g. ORF1ab, N), 0–50. */
export const CtSchema = z.record(
  z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, "target: 1–16 of A–Z, a–z, 0–9, _, -"),
  z.number().min(0).max(50),
);

export const ResultInputSchema = z.strictObject({
  /** Idempotency: the same id with the same content is a duplicate; with other content, refused. */
  resultId: z.string().regex(/^[A-Za-z0-9_.:-]{8,80}$/, "result id: 8–80 of A–Z, a–z, 0–9, _ . : -"),
  tubeCode: LabelCodeSchema,
  siteCode: SiteCodeSchema.optional(),
  outcome: z.enum(OUTCOMES),
  ct: CtSchema.optional(),
  resultedAt: z.iso.datetime({ offset: true }),
  /** Required when it changes the tube's standing result. */
  reason: text(200).optional(),
});
export type ResultInput = z.infer<typeof ResultInputSchema>;

export const ResultBatchSchema = z
  .strictObject({ results: z.array(ResultInputSchema).min(1).max(10_000) })
  .meta({ id: "ResultBatch" });

export const RESULT_REFUSALS = [
  "unknown_tube",
  "ambiguous_tube",
  "not_received",
  "received_elsewhere",
  "conflicting_result",
  "result_id_conflict",
] as const;
export type ResultRefusal = (typeof RESULT_REFUSALS)[number];

export const ResultRowOutcomeSchema = z.object({
  resultId: z.string(),
  tubeCode: z.string(),
  status: z.enum(["recorded", "changed", "duplicate", "refused"]),
  /** The tube's site, for a recorded or changed result. */
  siteCode: z.string().optional(),
  code: z.enum(RESULT_REFUSALS).optional(),
  message: z.string().optional(),
  /** Recall entries made by this result (a positive or invalid pooled tube). */
  recalled: z.number().optional(),
});
export type ResultRowOutcome = z.infer<typeof ResultRowOutcomeSchema>;

export const UploadReportSchema = z
  .object({
    format: z.enum(["csv", "xlsx"]),
    rows: z.array(
      ResultRowOutcomeSchema.extend({
        line: z.number(),
        code: z.enum([...RESULT_REFUSALS, "bad_row"]).optional(),
      }),
    ),
  })
  .meta({ id: "UploadReport" });
export type UploadReport = z.infer<typeof UploadReportSchema>;

export const ResultBatchResponseSchema = z
  .object({ rows: z.array(ResultRowOutcomeSchema) })
  .meta({ id: "ResultBatchResponse" });

// --- recalls -----------------------------------------------------------------------------------------------------

/** `withdrawn`: the pool's result was corrected to one that recalls nobody. */
export const RECALL_STATES = ["to_contact", "contacted", "resampled", "resulted", "withdrawn"] as const;
export type RecallState = (typeof RECALL_STATES)[number];

export const RecallEntrySchema = z.object({
  id: z.string(),
  state: z.enum(RECALL_STATES),
  tubeCode: z.string(),
  outcome: z.enum(OUTCOMES),
  resultRecordedAt: z.string(),
  createdAt: z.string(),
  siteCode: z.string(),
  siteName: z.string(),
  name: z.string(),
  docType: z.enum(DOC_TYPES),
  docNumber: z.string(),
  phone: z.string().nullable(),
  community: z.string().nullable(),
  registeredAt: z.string(),
  staffName: z.string(),
  singleTubeCode: z.string().nullable(),
  singleOutcome: z.enum(OUTCOMES).nullable(),
});
export type RecallEntry = z.infer<typeof RecallEntrySchema>;

export const RecallListSchema = z.object({ recalls: z.array(RecallEntrySchema) }).meta({ id: "RecallList" });

export const RecallUpdateSchema = z
  .strictObject({ state: z.enum(["contacted"]), note: text(200).optional() })
  .meta({ id: "RecallUpdate" });

// --- resident status page ------------------------------------------------------------------------------------------

export const StatusLookupSchema = z
  .strictObject({
    docNumber: text(64),
    name: text(64),
    phoneLast4: z
      .string()
      .regex(/^\d{4}$/, "four digits")
      .optional(),
  })
  .meta({ id: "StatusLookup" });

export const RESIDENT_STATUSES = ["sampled", "in_lab", "negative", "contact_community"] as const;

export const StatusAnswerSchema = z
  .object({
    samplings: z.array(z.object({ siteName: z.string(), sampledAt: z.string(), status: z.enum(RESIDENT_STATUSES) })),
  })
  .meta({ id: "StatusAnswer" });
export type StatusAnswer = z.infer<typeof StatusAnswerSchema>;

// --- turnaround ------------------------------------------------------------------------------------------------------

export const TurnaroundSchema = z
  .object({
    labCode: z.string(),
    day: z.string(),
    tubes: z.number(),
    receivedToResulted: z.object({ medianMinutes: z.number().nullable(), p95Minutes: z.number().nullable() }),
    sampledToResulted: z.object({ medianMinutes: z.number().nullable(), p95Minutes: z.number().nullable() }),
  })
  .meta({ id: "Turnaround" });

export const TubeTimelineSchema = z
  .object({
    siteCode: z.string(),
    tubeCode: z.string(),
    sampledAt: z.string(),
    sealedAt: z.string().nullable(),
    handedOverAt: z.string().nullable(),
    receivedAt: z.string().nullable(),
    resultedAt: z.string().nullable(),
  })
  .meta({ id: "TubeTimeline" });
export type TubeTimeline = z.infer<typeof TubeTimelineSchema>;
