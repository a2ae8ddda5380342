/**
 * What staff type or a scanner gun sends, cleaned before validation. A Chinese input method left in full-width mode
 * types `１１０１０５…`, `ｘ` and `（Ｂ）`; people copy numbers with spaces and dashes (`138-1234-5678`) or with a country
 * code (`+86`, `0086`, `86`); a gun with Caps Lock on sends `sp1|…|id|…`. Only number-like fields are rewritten:
 * names and communities are trimmed and never otherwise changed (a name is the person's, whatever it looks like).
 * Pure and total: never throws, and what it cannot make sense of is returned for the validators to refuse precisely.
 */

import type { Resident } from "./residentCode";

/** Full-width ASCII (U+FF01–U+FF5E) to ASCII, and the ideographic space (U+3000) to a space. */
export function toHalfWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E\u3000]/g, (c) =>
    c === "\u3000" ? " " : String.fromCharCode(c.charCodeAt(0) - 0xfee0),
  );
}

/** Invisible characters some keyboards and scanners insert: zero-width spaces and joiners, word joiner, BOM. */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;
/** Any space, tab or line break (\s includes the ideographic space and the no-break space). */
const SPACES = /\s+/g;
/** Hyphens and dashes people type between digit groups, including the katakana long mark a Chinese IME gives for "-". */
const DASHES = /[-\u2010-\u2015\u2212\u30FC\uFE58\uFE63]/g;

const compact = (text: string): string => toHalfWidth(text).replace(INVISIBLE, "").replace(SPACES, "");

/**
 * A typed document number: full-width to ASCII, spaces and dashes removed, upper-case (`１１０１０５ １９４９-１２３１ ００２ｘ`
 * → `11010519491231002X`; `（Ｂ）` → `(B)` for the documents whose numbers hold brackets).
 */
export function normalizeDocNumber(raw: string): string {
  return compact(raw).replace(DASHES, "").toUpperCase();
}

const MOBILE = /^1\d{10}$/;
/** A country code before a mainland mobile number: `+86`, `0086` or a bare `86`. */
const COUNTRY_CODE = /^(?:\+|00)?86/;

/**
 * A typed mobile number: full-width to ASCII, spaces, dashes, dots and brackets removed, and a `+86`/`0086`/`86` before
 * an 11-digit number starting with 1 dropped (`+86 138-1234-5678`, `(0086)13812345678` → `13812345678`). A country code
 * is dropped only when what follows is a whole mobile number, so `8613…` with a digit missing is left for the
 * validator to refuse as the wrong length.
 */
export function normalizePhone(raw: string): string {
  const digits = compact(raw).replace(DASHES, "").replace(/[().]/g, "");
  const withoutCountry = digits.replace(COUNTRY_CODE, "");
  return withoutCountry !== digits && MOBILE.test(withoutCountry) ? withoutCountry : digits;
}

/** A label or code with full-width characters and stray spaces (tube, box, transfer target): the classifier upper-cases. */
export function normalizeLabel(raw: string): string {
  return compact(raw);
}

const RESIDENT_PREFIX = /^SP(\d+)\|/i;
const BARE_ID = /^\d{17}[\dX]$/;

/**
 * Text that arrived at the scan field (typed, pasted, a gun, the camera). A resident code keeps its name and community
 * as they came (trimmed only); its version prefix, document type, document number and phone are normalised. Anything
 * else is compacted (full-width to ASCII, no spaces), and an 18-character ID number typed in groups is joined up.
 */
export function normalizeScanText(raw: string): string {
  const text = raw.replace(INVISIBLE, "").trim();
  const head = RESIDENT_PREFIX.exec(toHalfWidth(text.slice(0, 12)));
  if (head) {
    // A full-width ｜ separates fields only when the prefix was typed with one (a Chinese IME in full-width mode);
    // otherwise a ｜ inside a community name stays part of it.
    const fullWidth = text[head[0].length - 1] === "｜";
    const fields = text.split(fullWidth ? /[|｜]/ : "|");
    fields[0] = `SP${head[1]}`;
    const clean = [
      (v: string) => v.trim(), // name: never rewritten
      (v: string) => compact(v).toUpperCase(), // document type: ID, PP…
      normalizeDocNumber,
      normalizePhone,
      (v: string) => v.trim(), // community: never rewritten
    ];
    return fields.map((field, i) => (i === 0 ? field : (clean[i - 1]?.(field) ?? field))).join("|");
  }
  const label = compact(text);
  const id = label.replace(DASHES, "").toUpperCase();
  return BARE_ID.test(id) ? id : label;
}

/**
 * A resident as a person typed them into a form (the station's manual entry, the resident self-service page): the
 * number fields normalised (full-width digits, spaces, dashes, a country code before the mobile number), name and
 * community trimmed only; an empty phone or community is left off.
 */
export function normalizeTypedResident(input: Resident): Resident {
  const phone = input.phone === undefined ? undefined : normalizePhone(input.phone);
  const community = input.community?.trim();
  return {
    name: input.name.trim(),
    docType: input.docType,
    docNumber: normalizeDocNumber(input.docNumber),
    ...(phone ? { phone } : {}),
    ...(community ? { community } : {}),
  };
}
