import { useId } from "react";
import { useI18n } from "./i18n";

export interface ReasonOption {
  code: string;
  label: string;
}

export interface ReasonChoice {
  code: string | null;
  other: string;
}

export const noReason = (): ReasonChoice => ({ code: null, other: "" });

interface Props {
  legend: string;
  options: ReasonOption[];
  value: ReasonChoice;
  onChange(next: ReasonChoice): void;
}

/** Preset reasons as large chips (one tap in gloves), and "other" with a text field. */
export function ReasonChips({ legend, options, value, onChange }: Props) {
  const { t } = useI18n();
  const name = useId();
  const all = [...options, { code: "other", label: t("reasonOther") }];
  return (
    <fieldset className="reason-chips">
      <legend>{legend}</legend>
      <div className="chips">
        {all.map((option) => (
          <label key={option.code} className="chip">
            <input
              type="radio"
              name={name}
              value={option.code}
              checked={value.code === option.code}
              onChange={() => onChange({ ...value, code: option.code })}
            />
            <span>{option.label}</span>
          </label>
        ))}
      </div>
      {value.code === "other" && (
        <label>
          {t("reasonOtherLabel")}
          <input
            value={value.other}
            onChange={(e) => onChange({ ...value, other: e.target.value })}
            // biome-ignore lint/a11y/noAutofocus: "other" was just chosen: the text is what comes next
            autoFocus
            required
          />
        </label>
      )}
    </fieldset>
  );
}
