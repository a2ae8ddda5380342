/**
 * Every change a device makes is an immutable event. These zod schemas are shared by the client (which writes them)
 * and the server (which re-validates them before storing).
 */
import "./zodConfig";
import { z } from "zod";
import { DOC_TYPES } from "./documents";
import { validateResident } from "./residentCode";

export const POOL_SIZES = [1, 5, 10, 20] as const;
export type PoolSize = (typeof POOL_SIZES)[number];
export const PoolSizeSchema = z.union(
  POOL_SIZES.map((n) => z.literal(n)) as [z.ZodLiteral<1>, z.ZodLiteral<5>, z.ZodLiteral<10>, z.ZodLiteral<20>],
);

export const SiteCodeSchema = z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,31}$/, "site code: 2–32 of A–Z, 0–9, -");
/** Tube and box codes are checked against the site's pattern by the station; the schema bounds their shape. */
export const LabelCodeSchema = z.string().regex(/^[0-9A-Z-]{1,40}$/, "label code: 1–40 of 0–9, A–Z, -");
export const DeviceIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "device id: 8–64 of A–Z, a–z, 0–9, _, -");
/** Text a person typed: no control characters (PostgreSQL refuses NUL in text, and none belongs in a name or reason). */
export const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;
const noControl = (schema: z.ZodString) => schema.regex(NO_CONTROL_CHARACTERS, "no control characters");

export const StaffIdSchema = noControl(z.string().min(1).max(64));

const RESIDENT_FIELDS = ["name", "docType", "docNumber", "phone", "community"] as const;

export const ResidentSchema = z
  .strictObject({
    name: noControl(z.string().min(1).max(256)),
    docType: z.enum(DOC_TYPES),
    docNumber: noControl(z.string().min(1).max(64)),
    phone: noControl(z.string().max(32)).optional(),
    community: noControl(z.string().max(400)).optional(),
  })
  .superRefine((resident, ctx) => {
    // Accept only residents already in normal form, so the stored body is the one the device shows.
    const checked = validateResident(resident);
    if (!checked.ok) {
      ctx.addIssue({ code: "custom", message: `invalid resident: ${JSON.stringify(checked.error)}` });
    } else if (RESIDENT_FIELDS.some((field) => checked.value[field] !== resident[field])) {
      ctx.addIssue({ code: "custom", message: "resident not in normal form" });
    }
  });

const envelope = {
  id: z.uuid(),
  deviceId: DeviceIdSchema,
  /** Per-device sequence number, 1, 2, 3, … with no gaps. */
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  staffId: StaffIdSchema,
  siteCode: SiteCodeSchema,
  /** The device clock when the event happened (ISO 8601 with offset). */
  occurredAt: z.iso.datetime({ offset: true }),
};

export const TubeOpenedSchema = z.strictObject({
  ...envelope,
  type: z.literal("tube.opened"),
  payload: z.strictObject({
    tubeCode: LabelCodeSchema,
    capacity: PoolSizeSchema,
    /** A single-person tube opened for a recalled resident (a positive pool's re-sampling): the recall entry. */
    recallId: z.uuid().optional(),
  }),
});

export const RegistrationAddedSchema = z.strictObject({
  ...envelope,
  type: z.literal("registration.added"),
  payload: z.strictObject({
    registrationId: z.uuid(),
    tubeCode: LabelCodeSchema,
    resident: ResidentSchema,
    /** Why a resident already registered today at this site is sampled again (re-sampling). */
    repeatReason: noControl(z.string().trim().min(1).max(200)).optional(),
  }),
});

export const RegistrationVoidedSchema = z.strictObject({
  ...envelope,
  type: z.literal("registration.voided"),
  payload: z.strictObject({
    registrationId: z.uuid(),
    tubeCode: LabelCodeSchema,
    reason: noControl(z.string().trim().min(1).max(200)),
  }),
});

export const TubeSealedSchema = z.strictObject({
  ...envelope,
  type: z.literal("tube.sealed"),
  payload: z.strictObject({
    tubeCode: LabelCodeSchema,
    /** Members at sealing; fewer than capacity marks the tube short. */
    count: z.number().int().min(0).max(20),
    short: z.boolean(),
  }),
});

/** A damaged tube: its active registrations move to a new tube (opened by this event, same capacity); the old is void. */
export const TubeTransferredSchema = z.strictObject({
  ...envelope,
  type: z.literal("tube.transferred"),
  payload: z.strictObject({
    fromTubeCode: LabelCodeSchema,
    toTubeCode: LabelCodeSchema,
    reason: noControl(z.string().trim().min(1).max(200)),
  }),
});

/**
 * A tube opened by mistake (a wrong label scanned, a tube broken before anyone was added): it has no one in it and
 * becomes void, so the device can open another.
 */
export const TubeAbandonedSchema = z.strictObject({
  ...envelope,
  type: z.literal("tube.abandoned"),
  payload: z.strictObject({
    tubeCode: LabelCodeSchema,
    reason: noControl(z.string().trim().min(1).max(200)),
  }),
});

export const BoxOpenedSchema = z.strictObject({
  ...envelope,
  type: z.literal("box.opened"),
  payload: z.strictObject({ boxCode: LabelCodeSchema }),
});

export const BoxTubeAddedSchema = z.strictObject({
  ...envelope,
  type: z.literal("box.tube_added"),
  payload: z.strictObject({ boxCode: LabelCodeSchema, tubeCode: LabelCodeSchema }),
});

export const BoxClosedSchema = z.strictObject({
  ...envelope,
  type: z.literal("box.closed"),
  payload: z.strictObject({ boxCode: LabelCodeSchema, tubeCount: z.number().int().min(1).max(10_000) }),
});

export const BoxHandedOverSchema = z.strictObject({
  ...envelope,
  type: z.literal("box.handed_over"),
  payload: z.strictObject({
    boxCode: LabelCodeSchema,
    courierName: noControl(z.string().trim().min(1).max(64)),
    courierPhone: z.string().regex(/^1[3-9]\d{9}$/, "mainland mobile number"),
    vehiclePlate: noControl(z.string().trim().min(1).max(16)).optional(),
    /** The lab the courier takes the box to, when known at handover. */
    labCode: z
      .string()
      .regex(/^[A-Z0-9][A-Z0-9_-]{1,31}$/, "lab code: 2–32 of A–Z, 0–9, _, -")
      .optional(),
  }),
});

/**
 * Staff's decision on one of this device's events that the server rejected (quarantined on the device): discarded,
 * or replaced by a corrected event. Recorded as an event so the decision reaches the server's audit log.
 */
export const QuarantineResolvedSchema = z.strictObject({
  ...envelope,
  type: z.literal("quarantine.resolved"),
  payload: z.strictObject({
    eventId: z.uuid(),
    decision: z.enum(["discarded", "resubmitted"]),
    reason: noControl(z.string().trim().min(1).max(200)),
    /** The rejection the server gave, as the device recorded it. */
    rejectionCode: noControl(z.string().min(1).max(64)),
    /** The corrected event recorded in its place (resubmitted only). */
    replacementId: z.uuid().optional(),
  }),
});

export const SampleEventSchema = z.discriminatedUnion("type", [
  TubeOpenedSchema,
  RegistrationAddedSchema,
  RegistrationVoidedSchema,
  TubeSealedSchema,
  TubeTransferredSchema,
  TubeAbandonedSchema,
  BoxOpenedSchema,
  BoxTubeAddedSchema,
  BoxClosedSchema,
  BoxHandedOverSchema,
  QuarantineResolvedSchema,
]);

export type SampleEvent = z.infer<typeof SampleEventSchema>;
export type EventType = SampleEvent["type"];
export type EventOf<T extends EventType> = Extract<SampleEvent, { type: T }>;
export type PayloadOf<T extends EventType> = EventOf<T>["payload"];
export type EventEnvelope = Omit<SampleEvent, "type" | "payload">;
export const EVENT_TYPES = SampleEventSchema.options.map((o) => o.shape.type.value);

/** Serialises an event with sorted keys, so the same event always has the same text (used for conflict checks). */
export function canonicalEventJson(event: SampleEvent): string {
  return JSON.stringify(event, (_key, value) =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}
