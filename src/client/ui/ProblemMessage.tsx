import type { StationProblem } from "../station/station";
import { useI18n } from "./i18n";

/** A refusal in the chosen language, with the other language beneath. */
export function ProblemMessage({ problem, testId = "problem" }: { problem: StationProblem; testId?: string }) {
  const { problem: message, problemInOtherLang } = useI18n();
  return (
    <div className="message message-error" role="alert" data-testid={testId} data-code={problem.code}>
      <strong>{message(problem)}</strong>
      <small>{problemInOtherLang(problem)}</small>
    </div>
  );
}
