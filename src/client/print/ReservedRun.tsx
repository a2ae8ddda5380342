import type { useLabelRun } from "./useLabelRun";

/** What was reserved (the codes never break across lines) and the print button, on the console and the station. */
export function ReservedRun(props: {
  labels: ReturnType<typeof useLabelRun>;
  message: string;
  printLabel: string;
  testId: string;
}) {
  const { labels } = props;
  const codes = labels.run?.codes ?? [];
  return (
    <div className="labels-run">
      <p role="status" data-testid={`${props.testId}-reserved`}>
        {props.message}{" "}
        <span className="labels-range">
          <span>{codes[0]}</span>
          {codes.length > 1 && (
            <>
              {" – "}
              <span>{codes[codes.length - 1]}</span>
            </>
          )}
        </span>
      </p>
      <button
        type="button"
        className="primary"
        disabled={!labels.canPrint}
        onClick={labels.print}
        data-testid={`${props.testId}-print`}
      >
        {props.printLabel}
      </button>
    </div>
  );
}
