/**
 * Identity documents staff meet at a sampling point, and their number formats.
 * Each validator normalises what it can (upper-case, no spaces) and names the exact reason when it refuses.
 */
import { err, ok, type Result } from "./result";

export const DOC_TYPES = ["ID", "HKMO", "TW", "HMTR", "FPR", "PP", "OT"] as const;
export type DocType = (typeof DOC_TYPES)[number];

export const isDocType = (value: string): value is DocType => (DOC_TYPES as readonly string[]).includes(value);

export type DocumentRejection =
  | "empty"
  | "wrong_length"
  | "bad_characters"
  | "bad_check_digit"
  | "impossible_date"
  | "future_date"
  | "bad_region"
  | "bad_prefix"
  | "is_residence_permit";

export interface DocumentCheckOptions {
  /** The day used to refuse birth dates in the future; defaults to now. */
  today?: Date;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS = "10X98765432";

/** GB 11643 MOD 11-2 check character for the first 17 digits. */
export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK_CHARS[sum % 11] ?? "?";
}

/** Province-level codes of GB/T 2260 that mainland resident ID numbers begin with. */
const MAINLAND_PROVINCES = new Set([
  "11",
  "12",
  "13",
  "14",
  "15",
  "21",
  "22",
  "23",
  "31",
  "32",
  "33",
  "34",
  "35",
  "36",
  "37",
  "41",
  "42",
  "43",
  "44",
  "45",
  "46",
  "50",
  "51",
  "52",
  "53",
  "54",
  "61",
  "62",
  "63",
  "64",
  "65",
  "71",
]);
const RESIDENCE_PERMIT_PREFIXES = ["810000", "820000", "830000"];

function checkBirthDate(yyyymmdd: string, today: Date): DocumentRejection | null {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (year < 1880 || month < 1 || month > 12 || day < 1) return "impossible_date";
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return "impossible_date";
  }
  const todayUtc = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  if (date.getTime() > todayUtc) return "future_date";
  return null;
}

/** The 18-character shape shared by resident IDs, HK/MO/TW residence permits and new foreign PR cards. */
function check18(value: string, today: Date): DocumentRejection | null {
  if (value.length !== 18) return "wrong_length";
  if (!/^\d{17}[\dX]$/.test(value)) return "bad_characters";
  const dateProblem = checkBirthDate(value.slice(6, 14), today);
  if (dateProblem) return dateProblem;
  if (idCheckCharacter(value.slice(0, 17)) !== value[17]) return "bad_check_digit";
  return null;
}

function normalise(raw: string): string {
  return raw.replace(/[\s-]/g, "").toUpperCase();
}

type Validator = (value: string, today: Date) => DocumentRejection | null;

const validators: Record<DocType, Validator> = {
  ID(value, today) {
    const shape = check18(value, today);
    if (shape) return shape;
    if (RESIDENCE_PERMIT_PREFIXES.some((p) => value.startsWith(p))) return "is_residence_permit";
    if (!MAINLAND_PROVINCES.has(value.slice(0, 2)) || value.slice(2, 6) === "0000") return "bad_region";
    return null;
  },
  // 港澳居民来往内地通行证: H or M, then 8 digits (old cards add a 2-digit issue count).
  HKMO(value) {
    if (value.length !== 9 && value.length !== 11) return "wrong_length";
    if (!/^[A-Z]/.test(value) || !/^[HM]/.test(value)) return "bad_prefix";
    if (!/^[HM]\d+$/.test(value)) return "bad_characters";
    return null;
  },
  // 台湾居民来往大陆通行证: 8 digits (new), 10 digits (old), the old ones sometimes with a letter suffix.
  TW(value) {
    if (![8, 10, 11].includes(value.length)) return "wrong_length";
    if (!/^(\d{8}|\d{10}[A-Z]?)$/.test(value)) return "bad_characters";
    return null;
  },
  // 港澳台居民居住证: 18 digits beginning 810000 (HK), 820000 (MO) or 830000 (TW), MOD 11-2 check.
  HMTR(value, today) {
    const shape = check18(value, today);
    if (shape) return shape;
    if (!RESIDENCE_PERMIT_PREFIXES.some((p) => value.startsWith(p))) return "bad_prefix";
    return null;
  },
  // 外国人永久居留身份证: old 15 chars (3-letter nationality + 12 digits), new 18 chars starting 9.
  FPR(value, today) {
    if (value.length === 15) {
      if (!/^[A-Z]{3}\d{12}$/.test(value)) return "bad_characters";
      return null;
    }
    if (value.length !== 18) return "wrong_length";
    if (!value.startsWith("9")) return "bad_prefix";
    return check18(value, today);
  },
  PP(value) {
    if (value.length < 5 || value.length > 17) return "wrong_length";
    if (!/^[A-Z0-9]+$/.test(value)) return "bad_characters";
    return null;
  },
  OT(value) {
    if (value.length > 32) return "wrong_length";
    if (!/^[\p{L}\p{N}()（）/.]+$/u.test(value)) return "bad_characters";
    return null;
  },
};

export interface DocumentRejectionDetail {
  docType: DocType;
  reason: DocumentRejection;
}

/** Validates and normalises a document number (upper-case, spaces and dashes removed). */
export function validateDocument(
  docType: DocType,
  raw: string,
  options: DocumentCheckOptions = {},
): Result<string, DocumentRejectionDetail> {
  const value = normalise(raw);
  if (value.length === 0) return err({ docType, reason: "empty" });
  const reason = validators[docType](value, options.today ?? new Date());
  return reason ? err({ docType, reason }) : ok(value);
}

/** Masked for lists: first 6 and last 4 characters shown. */
export function maskDocumentNumber(value: string): string {
  if (value.length <= 10) return value.length <= 4 ? value : `${"*".repeat(value.length - 4)}${value.slice(-4)}`;
  return `${value.slice(0, 6)}${"*".repeat(value.length - 10)}${value.slice(-4)}`;
}
