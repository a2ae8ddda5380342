import { useId } from "react";
import { OTHER_REASON, PRESET_REASONS, type ReasonAction, type ReasonChoice, reasonLabel } from "../../domain/reasons";
import { useI18n } from "./i18n";

/** Nothing chosen yet. */
export const noReason = (): ReasonChoice => ({ code: "" });

/** Whether the choice is complete enough to submit (a preset, or "other" with text). */
export const reasonChosen = (choice: ReasonChoice): boolean =>
  choice.code !== "" && (choice.code !== OTHER_REASON || (choice.otherText ?? "").trim() !== "");

interface Props {
  action: ReasonAction;
  legend: string;
  value: ReasonChoice;
  onChange(next: ReasonChoice): void;
}

/** The domain's preset reasons as large chips (one tap in gloves), and "other" with a text field. */
export function ReasonChips({ action, legend, value, onChange }: Props) {
  const { t, lang } = useI18n();
  const name = useId();
  const codes = [...PRESET_REASONS[action].map((r) => r.code), OTHER_REASON];
  return (
    <fieldset className="reason-chips">
      <legend>{legend}</legend>
      <div className="chips">
        {codes.map((code) => (
          <label key={code} className="chip">
            <input
              type="radio"
              name={name}
              value={code}
              checked={value.code === code}
              onChange={() => onChange({ ...value, code })}
            />
            <span>{reasonLabel(action, code, lang)}</span>
          </label>
        ))}
      </div>
      {value.code === OTHER_REASON && (
        <label>
          {t("reasonOtherLabel")}
          <input
            value={value.otherText ?? ""}
            maxLength={200}
            onChange={(e) => onChange({ ...value, otherText: e.target.value })}
            // biome-ignore lint/a11y/noAutofocus: "other" was just chosen: the text is what comes next
            autoFocus
            required
          />
        </label>
      )}
    </fieldset>
  );
}
