import { useState } from "react";
import { useI18n } from "./i18n";

const KEY = "samplepoint.softKeyboard";

/**
 * Whether the scan inputs open the phone's own keyboard: off by default (a scanner gun or the camera fills them, and
 * the keyboard would cover the list), on request with the ⌨ button; remembered on the device.
 */
export function useSoftKeyboard(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => localStorage.getItem(KEY) === "1");
  return [
    on,
    (next: boolean) => {
      setOn(next);
      localStorage.setItem(KEY, next ? "1" : "0");
    },
  ];
}

export function KeyboardToggle({ on, onChange }: { on: boolean; onChange(on: boolean): void }) {
  const { t } = useI18n();
  return (
    <button
      type="button"
      className="icon-button"
      aria-pressed={on}
      aria-label={t("keyboardShow")}
      title={t("keyboardShow")}
      onClick={() => onChange(!on)}
    >
      <span aria-hidden="true">⌨</span>
    </button>
  );
}
