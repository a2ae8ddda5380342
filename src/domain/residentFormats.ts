/**
 * Other systems' resident codes (a city's 核酸码 or 一码通), declared by a deployment in its configuration file:
 *   - "delimited": fields split by a separator, after an optional prefix; which field is the name, the document
 *     type and number, the phone, the community (0-based positions);
 *   - "json": a JSON object; which key path (dots: "person.idNo") is each field;
 *   - "regex": a regular expression with named groups (name, docNumber, and optionally docType, phone, community).
 * A format's document type is read from a field (mapped through `docTypeCodes`, e.g. {"1": "ID"}) or fixed (`docType`).
 * A code matching no format is not a resident code. The fields then pass the same checks as an SP1 code's (documents,
 * phone, name). Pure: no DOM, no Node, no zod (the station's first bundle holds this); never throws, whatever the text.
 */
import { type DocType, isDocType } from "./documents";
import {
  type ParsedResidentCode,
  RESIDENT_CODE_MAX_CHARS,
  type ResidentCodeError,
  validateResident,
} from "./residentCode";
import type { ResidentFormat } from "./residentFormatSchema";
import { err, ok, type Result } from "./result";

export type { ResidentFormat };

/** The formats that apply to a site. */
export const formatsForSite = (formats: ResidentFormat[], siteCode: string): ResidentFormat[] =>
  formats.filter((f) => !f.sites || f.sites.includes(siteCode));

interface RawFields {
  name?: string;
  docNumber?: string;
  docType?: string;
  phone?: string;
  community?: string;
}

const compiled = new WeakMap<ResidentFormat, RegExp | null>();
function regexOf(format: ResidentFormat & { kind: "regex" }): RegExp | null {
  if (!compiled.has(format)) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(`^(?:${format.pattern})$`, "u");
    } catch {
      re = null;
    }
    compiled.set(format, re);
  }
  return compiled.get(format) ?? null;
}

/** A pattern's problem for the configuration check (the server refuses to start with a broken file). */
export function formatProblem(format: ResidentFormat): string | null {
  if (format.kind !== "regex") return null;
  const re = regexOf(format);
  if (!re) return `${format.label}: the pattern is not a valid regular expression`;
  const groups = new Set([...format.pattern.matchAll(/\(\?<([A-Za-z]+)>/g)].map((m) => m[1]));
  for (const required of ["name", "docNumber"]) {
    if (!groups.has(required)) return `${format.label}: the pattern has no named group (?<${required}>…)`;
  }
  if (!groups.has("docType") && !format.docType) return `${format.label}: no docType group and no fixed docType`;
  return null;
}

function valueAt(root: unknown, path: string): string | undefined {
  let node: unknown = root;
  for (const key of path.split(".")) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  if (typeof node === "string") return node;
  if (typeof node === "number" && Number.isFinite(node)) return String(node);
  return undefined;
}

/** The raw fields when the text is of this format (else null). */
function extract(format: ResidentFormat, text: string): RawFields | null {
  if (format.kind === "delimited") {
    if (!text.startsWith(format.prefix)) return null;
    const parts = text.slice(format.prefix.length).split(format.separator);
    const at = (i: number | undefined) => (i === undefined ? undefined : parts[i]);
    const name = at(format.fields.name);
    const docNumber = at(format.fields.docNumber);
    if (name === undefined || docNumber === undefined) return null;
    return {
      name,
      docNumber,
      docType: at(format.fields.docType),
      phone: at(format.fields.phone),
      community: at(format.fields.community),
    };
  }
  if (format.kind === "json") {
    if (!text.startsWith("{")) return null;
    let root: unknown;
    try {
      root = JSON.parse(text);
    } catch {
      return null;
    }
    const name = valueAt(root, format.fields.name);
    const docNumber = valueAt(root, format.fields.docNumber);
    if (name === undefined || docNumber === undefined) return null;
    const optional = (path: string | undefined) => (path === undefined ? undefined : valueAt(root, path));
    return {
      name,
      docNumber,
      docType: optional(format.fields.docType),
      phone: optional(format.fields.phone),
      community: optional(format.fields.community),
    };
  }
  const match = regexOf(format)?.exec(text);
  if (!match?.groups) return null;
  const g = match.groups;
  if (g.name === undefined || g.docNumber === undefined) return null;
  return { name: g.name, docNumber: g.docNumber, docType: g.docType, phone: g.phone, community: g.community };
}

function docTypeOf(format: ResidentFormat, raw: string | undefined): DocType | null {
  if (raw === undefined || raw === "") return format.docType ?? null;
  const mapped = format.docTypeCodes?.[raw];
  if (mapped) return mapped;
  return isDocType(raw) ? raw : null;
}

/**
 * Parses a scanned text with the declared formats, the first that recognises it winning. `null`: no format
 * recognises it (the caller goes on as before: not a resident code). Never throws.
 */
export function parseWithFormats(
  text: string,
  formats: readonly ResidentFormat[],
  today?: Date,
): Result<ParsedResidentCode, ResidentCodeError> | null {
  if (typeof text !== "string" || text.length === 0 || formats.length === 0) return null;
  if ([...text].length > RESIDENT_CODE_MAX_CHARS) return null;
  for (const format of formats) {
    let raw: RawFields | null;
    try {
      raw = extract(format, text);
    } catch {
      raw = null;
    }
    if (!raw) continue;
    const docType = docTypeOf(format, raw.docType?.trim());
    if (!docType) return err({ code: "unknown_doc_type", docType: raw.docType ?? "" });
    const name = (raw.name ?? "").trim();
    if (name === "") return err({ code: "bad_name" });
    const checked = validateResident(
      {
        name,
        docType,
        docNumber: (raw.docNumber ?? "").trim(),
        ...(raw.phone?.trim() ? { phone: raw.phone.trim() } : {}),
        ...(raw.community?.trim() ? { community: raw.community.trim() } : {}),
      },
      today,
    );
    if (!checked.ok) return checked;
    return ok({ kind: "full", resident: checked.value });
  }
  return null;
}
