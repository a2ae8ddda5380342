/**
 * Resident code format v1: the QR payload a resident shows.
 *   SP1|<name>|<docType>|<docNumber>|<phone>|<community>
 * Phone and community may be empty; trailing empty fields may be left off.
 * A bare 18-character resident ID number is accepted too (the name is then typed by staff).
 */
import { type DocType, type DocumentRejection, isDocType, validateDocument } from "./documents";
import { type PhoneRejection, validateMobile } from "./phone";
import { err, ok, type Result } from "./result";

export const RESIDENT_CODE_PREFIX = "SP1";
export const RESIDENT_CODE_MAX_CHARS = 512;
export const NAME_MAX_CHARS = 64;
export const COMMUNITY_MAX_CHARS = 100;

export interface Resident {
  name: string;
  docType: DocType;
  docNumber: string;
  phone?: string;
  community?: string;
}

export type ParsedResidentCode =
  | { kind: "full"; resident: Resident }
  /** Only the document number is known; staff type the name. */
  | { kind: "bare-id"; docType: "ID"; docNumber: string };

export type ResidentField = "name" | "docType" | "docNumber" | "phone" | "community";

export type ResidentCodeError =
  | { code: "empty" }
  | { code: "too_long"; max: number }
  | { code: "not_resident_code" }
  | { code: "unsupported_version"; version: string }
  | { code: "missing_fields" }
  | { code: "too_many_fields" }
  | { code: "bad_field"; field: ResidentField; problem: "control_character" | "outer_space" | "separator" }
  | { code: "bad_name" }
  | { code: "name_too_long"; max: number }
  | { code: "unknown_doc_type"; docType: string }
  | { code: "bad_document"; docType: DocType; reason: DocumentRejection }
  | { code: "bad_phone"; reason: PhoneRejection }
  | { code: "community_too_long"; max: number };

const CONTROL = /\p{Cc}/u;
// Letters and marks of any script, joined by the middle dots of minority and foreign names, spaces, apostrophes, hyphens.
const NAME = /^[\p{L}\p{M}](?:[\p{L}\p{M}·•・‧.'\- ]*[\p{L}\p{M}])?$/u;

const charCount = (s: string): number => [...s].length;

function fieldProblem(field: ResidentField, value: string): ResidentCodeError | null {
  if (CONTROL.test(value)) return { code: "bad_field", field, problem: "control_character" };
  if (value.includes("|")) return { code: "bad_field", field, problem: "separator" };
  if (value !== value.trim()) return { code: "bad_field", field, problem: "outer_space" };
  return null;
}

/** Checks a resident's fields and returns them normalised (document number upper-case, phone digits only). */
export function validateResident(input: Resident, today?: Date): Result<Resident, ResidentCodeError> {
  for (const field of ["name", "docType", "docNumber", "phone", "community"] as const) {
    const value = input[field];
    if (value === undefined) continue;
    const problem = fieldProblem(field, value);
    if (problem) return err(problem);
  }
  if (charCount(input.name) > NAME_MAX_CHARS) return err({ code: "name_too_long", max: NAME_MAX_CHARS });
  if (!NAME.test(input.name)) return err({ code: "bad_name" });
  if (!isDocType(input.docType)) return err({ code: "unknown_doc_type", docType: input.docType });
  const doc = validateDocument(input.docType, input.docNumber, { today });
  if (!doc.ok) return err({ code: "bad_document", docType: input.docType, reason: doc.error.reason });
  const resident: Resident = { name: input.name, docType: input.docType, docNumber: doc.value };
  if (input.phone) {
    const phone = validateMobile(input.phone);
    if (!phone.ok) return err({ code: "bad_phone", reason: phone.error });
    resident.phone = phone.value;
  }
  if (input.community) {
    if (charCount(input.community) > COMMUNITY_MAX_CHARS) {
      return err({ code: "community_too_long", max: COMMUNITY_MAX_CHARS });
    }
    resident.community = input.community;
  }
  return ok(resident);
}

/** Encodes a resident as a v1 code, leaving trailing empty fields off. */
export function encodeResidentCode(input: Resident): Result<string, ResidentCodeError> {
  const checked = validateResident(input);
  if (!checked.ok) return checked;
  const r = checked.value;
  const fields = [RESIDENT_CODE_PREFIX, r.name, r.docType, r.docNumber, r.phone ?? "", r.community ?? ""];
  while (fields.length > 4 && fields[fields.length - 1] === "") fields.pop();
  const text = fields.join("|");
  if (charCount(text) > RESIDENT_CODE_MAX_CHARS) return err({ code: "too_long", max: RESIDENT_CODE_MAX_CHARS });
  return ok(text);
}

const BARE_ID = /^\d{17}[\dXx]$/;

/** True when the text is shaped like a resident code (even an invalid one), so it is never taken for a tube. */
export function looksLikeResidentCode(text: string): boolean {
  return /^SP\d+\|/.test(text) || BARE_ID.test(text);
}

/** Parses any string; never throws. */
export function parseResidentCode(text: string, today?: Date): Result<ParsedResidentCode, ResidentCodeError> {
  if (typeof text !== "string" || text.length === 0) return err({ code: "empty" });
  if (charCount(text) > RESIDENT_CODE_MAX_CHARS) return err({ code: "too_long", max: RESIDENT_CODE_MAX_CHARS });
  if (BARE_ID.test(text)) {
    const doc = validateDocument("ID", text, { today });
    if (!doc.ok) return err({ code: "bad_document", docType: "ID", reason: doc.error.reason });
    return ok({ kind: "bare-id", docType: "ID", docNumber: doc.value });
  }
  const version = /^SP(\d+)\|/.exec(text);
  if (!version) return err({ code: "not_resident_code" });
  if (version[1] !== "1") return err({ code: "unsupported_version", version: `SP${version[1]}` });
  const fields = text.split("|");
  if (fields.length < 4) return err({ code: "missing_fields" });
  if (fields.length > 6) return err({ code: "too_many_fields" });
  const [, name = "", docType = "", docNumber = "", phone = "", community = ""] = fields;
  if (name === "") return err({ code: "bad_name" });
  if (!isDocType(docType)) return err({ code: "unknown_doc_type", docType });
  const checked = validateResident({ name, docType, docNumber, phone, community }, today);
  if (!checked.ok) return checked;
  return ok({ kind: "full", resident: checked.value });
}
