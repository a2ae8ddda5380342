import { MAX_BOX_LABELS } from "../../domain/limits";

/** How many labels to reserve (1–MAX_BOX_LABELS), on the console and the station. */
export function LabelCountField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  invalid: boolean;
  testId: string;
  className?: string;
}) {
  return (
    <label className={props.className}>
      {props.label}
      <input
        type="number"
        inputMode="numeric"
        min={1}
        max={MAX_BOX_LABELS}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.invalid}
        data-testid={props.testId}
      />
    </label>
  );
}
