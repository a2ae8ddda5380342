/**
 * Box labels printed at the desk console or the station (issue 16, part 5): a site reserves a run of box codes, the
 * server hands out each code once, and the label carries it as Code 128 with the site and the day. The request and
 * answer as zod values (the server validates with and documents them; clients import their types), and how a code is
 * spelt from the site's prefix and its number (the prefix is chosen by the server: src/server/boxLabels/boxLabels.ts).
 */
import "./zodConfig";
import { z } from "zod";
import { LabelCodeSchema, SiteCodeSchema } from "./events";
import { MAX_BOX_LABELS } from "./limits";

/**
 * Site codes up to this long are their own prefix (BOXZF01-0001); longer ones get a short hash (BOX-K3M-0001). Four
 * characters and up to six digits keep a code to 12 Code 128 symbols: 0.25 mm modules with their quiet zones fit a
 * 50 mm label (src/client/print/boxLabelSheet.ts), which a 203 dpi label printer prints as whole dots.
 */
export const READABLE_PREFIX_MAX = 4;
/** Numbers are padded to this many digits (and grow past them): codes of a site sort and read alike. */
export const BOX_LABEL_DIGITS = 4;

/**
 * The n-th box code of the site whose prefix is given: "BOX", the prefix, "-", the number. The number has no "-", so
 * the prefix is everything between "BOX" and the last "-": distinct prefixes never spell the same code.
 */
export const boxLabelCode = (prefix: string, n: number): string =>
  `BOX${prefix}-${String(n).padStart(BOX_LABEL_DIGITS, "0")}`;

export const BoxLabelRequestSchema = z
  .strictObject({ count: z.number().int().min(1).max(MAX_BOX_LABELS).describe("how many labels to reserve") })
  .meta({ id: "BoxLabelRequest" });
export type BoxLabelRequest = z.infer<typeof BoxLabelRequestSchema>;

export const BoxLabelSiteSchema = z.object({ code: SiteCodeSchema, name: z.string() });
export type BoxLabelSite = z.infer<typeof BoxLabelSiteSchema>;

export const BoxLabelRunSchema = z
  .object({
    /** In order; never given out before, at this site or any other. */
    codes: z.array(LabelCodeSchema).min(1).max(MAX_BOX_LABELS),
    site: BoxLabelSiteSchema,
    /** The Beijing day of the reservation, printed on the labels. */
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  })
  .meta({ id: "BoxLabelRun" });
export type BoxLabelRun = z.infer<typeof BoxLabelRunSchema>;

/** The sites a caller may print labels for (an admin's district, or the caller's own site). */
export const BoxLabelSitesSchema = z
  .object({ sites: z.array(BoxLabelSiteSchema.extend({ district: z.string(), street: z.string() })) })
  .meta({ id: "BoxLabelSites" });
export type BoxLabelSites = z.infer<typeof BoxLabelSitesSchema>;
