/**
 * The configuration of other systems' resident codes as zod values (the server checks the file with them; the site
 * configuration carries them to phones). The parsing itself is in residentFormats.ts, which phones load without zod.
 */
import "./zodConfig";
import { z } from "zod";
import { DOC_TYPES } from "./documents";

const Position = z.number().int().min(0).max(63);
const KeyPath = z.string().min(1).max(100);
const common = {
  /** A name for people (logs, the settings screen): e.g. "烟台一码通". */
  label: z.string().min(1).max(50),
  /** A document type for every code of this format, when the code does not say. */
  docType: z.enum(DOC_TYPES).optional(),
  /** The other system's document type codes → ours. */
  docTypeCodes: z.record(z.string().max(20), z.enum(DOC_TYPES)).optional(),
  /** Sites this format is for; absent: every site. */
  sites: z.array(z.string().min(2).max(32)).max(10_000).optional(),
};

export const ResidentFormatSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("delimited"),
    ...common,
    prefix: z.string().max(32).default(""),
    separator: z.string().min(1).max(4),
    fields: z.strictObject({
      name: Position,
      docNumber: Position,
      docType: Position.optional(),
      phone: Position.optional(),
      community: Position.optional(),
    }),
  }),
  z.strictObject({
    kind: z.literal("json"),
    ...common,
    fields: z.strictObject({
      name: KeyPath,
      docNumber: KeyPath,
      docType: KeyPath.optional(),
      phone: KeyPath.optional(),
      community: KeyPath.optional(),
    }),
  }),
  z.strictObject({
    kind: z.literal("regex"),
    ...common,
    /** Named groups: name, docNumber; docType, phone, community optional. Anchored whole-text match. */
    pattern: z.string().min(1).max(500),
  }),
]);
export type ResidentFormat = z.infer<typeof ResidentFormatSchema>;

export const ResidentFormatsFileSchema = z.strictObject({ formats: z.array(ResidentFormatSchema).max(50) });
