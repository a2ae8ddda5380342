/**
 * Tube and box codes (per-site patterns) and the classification of anything scanned or typed at the station:
 * a resident code, a tube label, a box label, or unknown.
 */

import { isDocType } from "./documents";
import { normalizeScanText } from "./normalizeInput";
import {
  looksLikeResidentCode,
  type ParsedResidentCode,
  parseResidentCode,
  type ResidentCodeError,
} from "./residentCode";
import { parseWithFormats, type ResidentFormat } from "./residentFormats";
import { err, ok, type Result } from "./result";

/** Short of 18 characters so that a bare resident ID number is never taken for a tube. */
export const DEFAULT_TUBE_PATTERN = "^[0-9A-Z]{8,16}$";
export const DEFAULT_BOX_PATTERN = "^BOX[0-9A-Z-]{3,20}$";

export interface CodePatterns {
  tubePattern: string;
  boxPattern: string;
  /** Other systems' resident codes the deployment declared for this site (residentFormats.ts). */
  residentFormats?: ResidentFormat[];
}

export const DEFAULT_CODE_PATTERNS: CodePatterns = {
  tubePattern: DEFAULT_TUBE_PATTERN,
  boxPattern: DEFAULT_BOX_PATTERN,
};

/** Checks that a site's pattern compiles and is anchored, so a partial match never passes. */
export function checkCodePattern(pattern: string): Result<RegExp, "invalid_pattern" | "unanchored_pattern"> {
  if (!pattern.startsWith("^") || !pattern.endsWith("$")) return err("unanchored_pattern");
  try {
    return ok(new RegExp(pattern, "u"));
  } catch {
    return err("invalid_pattern");
  }
}

export type ScanKind = "resident" | "tube" | "box";

export type ScanClassification =
  | { kind: "resident"; parsed: ParsedResidentCode }
  | { kind: "tube"; code: string }
  | { kind: "box"; code: string }
  /** Shaped like a resident code but not a valid one: the error says why. */
  | { kind: "invalid-resident"; error: ResidentCodeError }
  /** A resident code that lost its Chinese characters on the way (a scanner gun that cannot type them). */
  | { kind: "garbled-resident" }
  | { kind: "unknown"; text: string };

export type ScanError =
  | { code: "empty_scan" }
  | { code: "wrong_kind"; expected: ScanKind; got: ScanKind }
  | { code: "invalid_resident_code"; error: ResidentCodeError }
  | { code: "unrecognised_code"; expected: ScanKind; text: string }
  /** See isGarbledResidentCode: staff should switch the gun to its Unicode/Alt+numpad mode or use the camera. */
  | { code: "garbled_code" };

export interface ScanClassifier {
  classify(text: string): ScanClassification;
  /** Classifies and insists on one kind, naming what was expected when the scan is something else. */
  expect(text: string, expected: ScanKind): Result<ScanClassification, ScanError>;
}

/** Labels are printed upper-case (a gun with Caps Lock on sends lower case). */
const cleanLabel = (text: string): string => text.toUpperCase();

/** What a gun or keyboard layout sends for a character it cannot type: ?, the replacement character, control codes. */
const GARBAGE = /[?？\uFFFD\p{Cc}\p{Co}]/u;
/**
 * A name made only of Windows-1252 characters beyond ASCII: the bytes of a Chinese name (GBK or UTF-8) typed one by one
 * by a gun set to the wrong code page, e.g. 张三 → "ÕÅÈý" (GBK) or "å¼ ä¸‰" (UTF-8). Real names have letters of their
 * script or of ASCII.
 */
const MOJIBAKE =
  /^[\u0080-\u00FF\u0152\u0153\u0160\u0161\u0178\u017D\u017E\u0192\u02C6\u02DC\u2013-\u203A\u20AC\u2122 ]+$/u;

/**
 * True for an SP1 code whose Chinese characters were lost on the way: many scanner guns type only ASCII unless set to
 * a Unicode ("Alt+numpad") mode, and send nothing, '?' or replacement characters for 张三. The name is then empty,
 * garbage, or missing altogether (the document type comes first); a community of question marks is garbled too.
 * Such a code is never registered: the name would be wrong.
 */
export function isGarbledResidentCode(text: string): boolean {
  if (!text.startsWith("SP1|")) return false;
  const [, name = "", second = "", , , community = ""] = text.split("|");
  if (name.trim() === "" || GARBAGE.test(name) || MOJIBAKE.test(name)) return true;
  if (/[?？\uFFFD]/u.test(community)) return true;
  return isDocType(name) && !isDocType(second);
}

export function createScanClassifier(
  patterns: CodePatterns = DEFAULT_CODE_PATTERNS,
  today?: () => Date,
): ScanClassifier {
  const tube = checkCodePattern(patterns.tubePattern);
  const box = checkCodePattern(patterns.boxPattern);
  const tubeRe = tube.ok ? tube.value : new RegExp(DEFAULT_TUBE_PATTERN);
  const boxRe = box.ok ? box.value : new RegExp(DEFAULT_BOX_PATTERN);

  function classify(text: string): ScanClassification {
    // Trailing CR/LF of a gun, full-width characters of a Chinese IME, spaces inside numbers: see normalizeScanText.
    const raw = normalizeScanText(text);
    if (looksLikeResidentCode(raw)) {
      if (isGarbledResidentCode(raw)) return { kind: "garbled-resident" };
      const parsed = parseResidentCode(raw, today?.());
      return parsed.ok ? { kind: "resident", parsed: parsed.value } : { kind: "invalid-resident", error: parsed.error };
    }
    // Another system's resident code, when the deployment declared its format (before labels: a format is specific).
    const other = parseWithFormats(raw, patterns.residentFormats ?? [], today?.());
    if (other)
      return other.ok ? { kind: "resident", parsed: other.value } : { kind: "invalid-resident", error: other.error };
    const label = cleanLabel(raw);
    // Box before tube: a box label like BOX12345 also fits the generic tube pattern.
    if (boxRe.test(label)) return { kind: "box", code: label };
    if (tubeRe.test(label)) return { kind: "tube", code: label };
    return { kind: "unknown", text: raw };
  }

  function expect(text: string, expected: ScanKind): Result<ScanClassification, ScanError> {
    if (normalizeScanText(text) === "") return err({ code: "empty_scan" });
    const c = classify(text);
    if (c.kind === expected) return ok(c);
    if (c.kind === "garbled-resident") return err({ code: "garbled_code" });
    if (c.kind === "invalid-resident") {
      return expected === "resident"
        ? err({ code: "invalid_resident_code", error: c.error })
        : err({ code: "wrong_kind", expected, got: "resident" });
    }
    if (c.kind === "unknown") return err({ code: "unrecognised_code", expected, text: c.text });
    return err({ code: "wrong_kind", expected, got: c.kind });
  }

  return { classify, expect };
}
