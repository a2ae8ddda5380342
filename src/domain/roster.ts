/**
 * Rosters (应检尽检): the residents a community expects at a sampling point, by grid or building; the coverage of a
 * place and period (who on its rosters was sampled, who is still to come); exemptions; and the site roster that phones
 * pull. As zod values the server validates with and the console and station import.
 */
import "./zodConfig";
import { z } from "zod";
import { DaySchema, PlaceNameSchema } from "./command";
import { DOC_TYPE_NAMES } from "./documentNames";
import { DOC_TYPES, type DocType, isDocType } from "./documents";
import { SiteCodeSchema } from "./events";

/** Why a resident on a roster is not expected this time: they leave the denominator (audited). */
export const EXEMPTION_REASONS = ["away", "hospitalised", "sampled_elsewhere"] as const;
export type ExemptionReason = (typeof EXEMPTION_REASONS)[number];

/** A community or grid (网格/楼栋) name on a roster. */
export const RosterPlaceSchema = PlaceNameSchema;

/** Why an import row is refused (the console says it in its language; the problem is the English text). */
export const ROSTER_REFUSALS = [
  "bad_site",
  "other_site",
  "no_grid",
  "bad_place",
  "bad_name",
  "bad_doc_type",
  "bad_document",
  "bad_phone",
  "duplicate_in_file",
  "on_other_grid",
] as const;
export type RosterRefusal = (typeof ROSTER_REFUSALS)[number];

/** A document type as a roster's cell gives it: our code (ID, PP…) or its name in Chinese or English. */
export function docTypeFromCell(text: string): DocType | null {
  const value = text.trim();
  if (value === "") return "ID";
  const upper = value.toUpperCase();
  if (isDocType(upper)) return upper;
  for (const type of DOC_TYPES) {
    if (DOC_TYPE_NAMES.zh[type] === value || DOC_TYPE_NAMES.en[type].toLowerCase() === value.toLowerCase()) return type;
  }
  if (value === "身份证") return "ID";
  return null;
}

export const RosterImportReportSchema = z
  .object({
    imported: z.number().int().describe("rows now on the roster"),
    /** Each (site, grid) the file named: its earlier entries were replaced by the file's. */
    replaced: z.array(z.object({ site: z.string(), grid: z.string(), before: z.number().int() })),
    refusedCount: z.number().int(),
    /** The first refused rows (at most 1,000), each with its line number and why. */
    refused: z.array(
      z.object({
        line: z.number().int(),
        reason: z.enum(ROSTER_REFUSALS),
        problem: z.string(),
      }),
    ),
    exemptionsKept: z.number().int().describe("exemptions of residents still on the re-imported grids, kept"),
  })
  .meta({ id: "RosterImportReport" });
export type RosterImportReport = z.infer<typeof RosterImportReportSchema>;

/** Rows of a roster file at most (a district of 500,000 in one file). */
export const MAX_ROSTER_ROWS = 600_000;

/** What a phone holds of its site's roster: enough to recognise and name a resident; no phone numbers. */
export const SiteRosterEntrySchema = z.object({
  docType: z.enum(DOC_TYPES),
  docNumber: z.string(),
  name: z.string(),
  community: z.string(),
  grid: z.string(),
});
export type SiteRosterEntry = z.infer<typeof SiteRosterEntrySchema>;

export const SiteRosterSchema = z
  .object({
    /** Changes on every import touching the site: a phone holding this version has nothing to fetch. */
    version: z.string(),
    entries: z.array(SiteRosterEntrySchema),
  })
  .meta({ id: "SiteRoster" });
export type SiteRoster = z.infer<typeof SiteRosterSchema>;

/** The place and period of a coverage question (like the dashboard's): a round, or one day (default today). */
export const CoverageQuerySchema = z.strictObject({
  district: PlaceNameSchema.optional(),
  street: PlaceNameSchema.optional(),
  site: SiteCodeSchema.optional(),
  round: z.string().min(1).max(64).optional(),
  day: DaySchema.optional(),
});
export type CoverageQuery = z.infer<typeof CoverageQuerySchema>;

const count = z.number().int();
export const CoverageFiguresSchema = z
  .object({
    entries: count.describe("residents on the rosters"),
    exempt: count.describe("exempted for this period: not expected"),
    expected: count.describe("entries − exempt: the denominator"),
    sampled: count.describe("expected residents registered (anywhere in the city) in the period"),
    unsampled: count,
    /** sampled / expected × 100, one decimal; null when nobody is expected. */
    percent: z.number().nullable(),
  })
  .meta({ id: "CoverageFigures" });
export type CoverageFigures = z.infer<typeof CoverageFiguresSchema>;

export const COVERAGE_LEVELS = ["city", "district", "street", "site", "grid"] as const;

export const CoverageSchema = z
  .object({
    level: z.enum(["city", "district", "street", "site"]),
    from: DaySchema,
    to: DaySchema,
    totals: CoverageFiguresSchema,
    /** One level down: districts, streets, sites; at a site, its grids (with their community). */
    children: z.array(
      z.object({
        level: z.enum(["district", "street", "site", "grid"]),
        key: z.string(),
        label: z.string(),
        community: z.string().optional(),
        figures: CoverageFiguresSchema,
      }),
    ),
  })
  .meta({ id: "Coverage" });
export type Coverage = z.infer<typeof CoverageSchema>;

export function coverageFigures(entries: number, exempt: number, sampled: number): CoverageFigures {
  const expected = entries - exempt;
  return {
    entries,
    exempt,
    expected,
    sampled,
    unsampled: expected - sampled,
    percent: expected === 0 ? null : Math.round((sampled / expected) * 1000) / 10,
  };
}

/** The not-yet-sampled residents of a site (optionally one community or grid) in a period. */
export const UnsampledQuerySchema = z.strictObject({
  site: SiteCodeSchema,
  community: RosterPlaceSchema.optional(),
  grid: RosterPlaceSchema.optional(),
  round: z.string().min(1).max(64).optional(),
  day: DaySchema.optional(),
});
export type UnsampledQuery = z.infer<typeof UnsampledQuerySchema>;

/** At most this many on screen (the export has them all). */
export const UNSAMPLED_PAGE = 2_000;

export const RosterResidentSchema = z.object({
  id: z.string(),
  name: z.string(),
  docType: z.enum(DOC_TYPES),
  /** Masked: door-to-door calls need the name and phone, not the number. */
  docNumber: z.string(),
  phone: z.string().nullable(),
  community: z.string(),
  grid: z.string(),
  exemption: z
    .object({
      reason: z.enum(EXEMPTION_REASONS),
      note: z.string().nullable(),
      from: DaySchema,
      until: DaySchema.nullable(),
    })
    .nullable(),
});
export type RosterResident = z.infer<typeof RosterResidentSchema>;

export const UnsampledListSchema = z
  .object({
    from: DaySchema,
    to: DaySchema,
    total: count,
    residents: z.array(RosterResidentSchema),
    /** Exempted for the period, listed apart so a desk can withdraw an exemption. */
    exempted: z.array(RosterResidentSchema),
  })
  .meta({ id: "UnsampledList" });
export type UnsampledList = z.infer<typeof UnsampledListSchema>;

export const ExemptionRequestSchema = z
  .strictObject({
    reason: z.enum(EXEMPTION_REASONS),
    note: z.string().trim().max(200).optional(),
    /** The last day it applies (inclusive); none: until withdrawn. From today on. */
    until: DaySchema.optional(),
  })
  .meta({ id: "ExemptionRequest" });
export type ExemptionRequest = z.infer<typeof ExemptionRequestSchema>;

/** Residents of a site (a grid of it) whose resident-code cards are printed at the desk (full numbers: the QR holds them). */
export const RosterCardsQuerySchema = z.strictObject({
  site: SiteCodeSchema,
  community: RosterPlaceSchema.optional(),
  grid: RosterPlaceSchema.optional(),
  /** "1": only residents with no phone on the roster (the elderly, children). */
  withoutPhone: z.enum(["0", "1"]).optional(),
});
export type RosterCardsQuery = z.infer<typeof RosterCardsQuerySchema>;

/** At most this many cards at once (a grid's worth). */
export const MAX_ROSTER_CARDS = 2_000;

export const RosterCardsSchema = z
  .object({
    residents: z.array(
      z.object({ name: z.string(), docType: z.enum(DOC_TYPES), docNumber: z.string(), community: z.string() }),
    ),
  })
  .meta({ id: "RosterCards" });
export type RosterCards = z.infer<typeof RosterCardsSchema>;
