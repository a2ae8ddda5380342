/**
 * Preset reasons (the chips staff tap) for voiding a registration, transferring a tube's people to a new tube,
 * abandoning an empty tube, and sampling a resident again the same day, with "other" for free text.
 *
 * Stored in Chinese: the event's reason field holds the preset's Chinese label (or the typed text for "other"), because
 * the server, its exports and the reports are Chinese-first and the field is free text in the event schema (trimmed,
 * 1–200 characters, no control characters). A stored reason that is a preset's label is shown in English by
 * reasonForDisplay; typed text is shown as typed. Codes are stable (UI keys, tests); labels may be reworded, but old
 * events keep the words they were stored with.
 */
import { err, ok, type Result } from "./result";

export type ReasonAction = "void" | "transfer" | "repeat" | "abandon";

export interface PresetReason {
  /** Stable code, e.g. "entry_error". */
  code: string;
  /** What is stored and what Chinese staff see. */
  zh: string;
  en: string;
}

/** The chip for free text; its text is stored as typed. */
export const OTHER_REASON = "other";
export const OTHER_LABEL = { zh: "其他", en: "Other" } as const;

/** The reason an undone registration is voided with (one tap, no chip). */
export const UNDO_REASON = "撤销";

/** The event schema's limit on reason text (characters). */
export const REASON_MAX_CHARS = 200;

export const PRESET_REASONS: Readonly<Record<ReasonAction, readonly PresetReason[]>> = {
  void: [
    { code: "entry_error", zh: "信息录入错误", en: "Details entered wrongly" },
    { code: "wrong_person", zh: "扫错人", en: "Scanned the wrong person" },
    { code: "refused", zh: "居民拒绝采样", en: "Resident refused sampling" },
    { code: "duplicate", zh: "重复登记", en: "Registered twice" },
    { code: "left_unsampled", zh: "居民未采样已离开", en: "Resident left without being sampled" },
    { code: "wrong_tube", zh: "登记到错误试管", en: "Registered in the wrong tube" },
  ],
  transfer: [
    { code: "tube_broken", zh: "试管破损", en: "Tube broken" },
    { code: "tube_contaminated", zh: "试管污染", en: "Tube contaminated" },
    { code: "label_unreadable", zh: "条码无法识别", en: "Barcode unreadable" },
    { code: "tube_leaked", zh: "试管漏液", en: "Tube leaking" },
    { code: "wrong_tube_type", zh: "试管类型错误", en: "Wrong kind of tube" },
  ],
  abandon: [
    { code: "wrong_label", zh: "扫错试管", en: "Wrong tube scanned" },
    { code: "tube_broken", zh: "试管破损", en: "Tube broken" },
    { code: "label_unreadable", zh: "条码无法识别", en: "Barcode unreadable" },
  ],
  repeat: [
    { code: "previous_unqualified", zh: "上次样本不合格", en: "Previous sample unusable" },
    { code: "recheck", zh: "复检", en: "Re-test" },
    { code: "resample_required", zh: "按要求重采", en: "Re-sampled as instructed" },
    { code: "previous_tube_damaged", zh: "上次试管破损", en: "Previous tube damaged" },
    { code: "previous_mixed", zh: "混管阳性复采", en: "Pooled tube positive: sampled again" },
  ],
};

/** What staff chose: a preset's code, or OTHER_REASON with the text they typed. */
export interface ReasonChoice {
  code: string;
  otherText?: string;
}

export type ReasonTextProblem = { code: "reason_required" } | { code: "reason_too_long"; max: number };
export type ReasonProblem = ReasonTextProblem | { code: "unknown_reason"; reasonCode: string };

/** Control characters (a pasted tab or line break) become spaces, runs of spaces one space, and the ends are trimmed. */
export function cleanReasonText(text: string): string {
  return text
    .replace(/\p{Cc}/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The reason text problem, if any: empty, or longer than the schema allows. */
export function reasonTextProblem(text: string): ReasonTextProblem | null {
  if (text === "") return { code: "reason_required" };
  if (text.length > REASON_MAX_CHARS) return { code: "reason_too_long", max: REASON_MAX_CHARS };
  return null;
}

/**
 * The reason to store for a choice (see the module comment): the preset's Chinese label, or the typed text (cleaned)
 * for "other". Refuses an empty "other", a text over REASON_MAX_CHARS, and a code that is not a preset of `action`.
 */
export function reasonToStore(action: ReasonAction, choice: ReasonChoice): Result<string, ReasonProblem> {
  if (choice.code === OTHER_REASON) {
    const text = cleanReasonText(choice.otherText ?? "");
    const problem = reasonTextProblem(text);
    return problem ? err(problem) : ok(text);
  }
  const preset = PRESET_REASONS[action].find((r) => r.code === choice.code);
  return preset ? ok(preset.zh) : err({ code: "unknown_reason", reasonCode: choice.code });
}

/** A chip's label in the screen's language. */
export function reasonLabel(action: ReasonAction, code: string, lang: "zh" | "en"): string {
  if (code === OTHER_REASON) return OTHER_LABEL[lang];
  return PRESET_REASONS[action].find((r) => r.code === code)?.[lang] ?? code;
}

/** Stored reasons shown in English where they are a preset label (any action) or 撤销; typed text as it was typed. */
export function reasonForDisplay(stored: string, lang: "zh" | "en"): string {
  if (lang === "zh") return stored;
  if (stored === UNDO_REASON) return "Undone";
  for (const presets of Object.values(PRESET_REASONS)) {
    const preset = presets.find((r) => r.zh === stored);
    if (preset) return preset.en;
  }
  return stored;
}
