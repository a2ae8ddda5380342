/** Preset reasons per action, in the screen's language (adapter over the domain's list). */
import type { Lang } from "./i18n";
import type { ReasonChoice, ReasonOption } from "./ReasonChips";

export type ReasonAction = "void" | "transfer" | "repeat";

const PRESETS: Record<ReasonAction, { code: string; zh: string; en: string }[]> = {
  void: [
    { code: "entry_error", zh: "信息录入错误", en: "Entry error" },
    { code: "wrong_person", zh: "扫错人", en: "Wrong person scanned" },
    { code: "refused", zh: "居民拒绝采样", en: "Resident refused" },
  ],
  transfer: [
    { code: "broken", zh: "试管破损", en: "Tube broken" },
    { code: "contaminated", zh: "试管污染", en: "Tube contaminated" },
    { code: "unreadable", zh: "条码无法识别", en: "Barcode unreadable" },
  ],
  repeat: [
    { code: "unqualified", zh: "上次样本不合格", en: "Last sample unusable" },
    { code: "recheck", zh: "复检", en: "Re-test" },
    { code: "required", zh: "按要求重采", en: "Re-sampling ordered" },
  ],
};

export const reasonOptions = (action: ReasonAction, lang: Lang): ReasonOption[] =>
  PRESETS[action].map((p) => ({ code: p.code, label: lang === "zh" ? p.zh : p.en }));

/** The reason stored in the event (Chinese, as the server's reports are), or "" when none is chosen yet. */
export function storedReason(action: ReasonAction, choice: ReasonChoice): string {
  if (choice.code === "other") return choice.other.trim();
  return PRESETS[action].find((p) => p.code === choice.code)?.zh ?? "";
}
