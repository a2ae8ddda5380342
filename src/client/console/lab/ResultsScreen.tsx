/**
 * Entering results at the bench: scan a tube, choose its result (with Ct values if wanted), record. A positive or
 * invalid pooled tube shows its recall list at once, with how long it took (server, and on screen).
 */
import { type FormEvent, useLayoutEffect, useRef, useState } from "react";
import {
  OUTCOMES,
  type Outcome,
  type RecallEntry,
  type ResultRowOutcome,
  type TubeTimeline,
} from "../../../domain/labs";
import { useCodeMessage, useExplain } from "../ConsoleApp";
import { consoleApi } from "../consoleApi";
import { useConsoleI18n } from "../consoleI18n";
import { RecallTable } from "./RecallsScreen";
import { useLab } from "./useLab";

/** "28.4" (one target) or "ORF1ab:28.4;N:27.1": undefined when empty, null when not readable. */
export function parseCt(text: string): Record<string, number> | undefined | null {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const ct: Record<string, number> = {};
  for (const part of trimmed.split(/[;；,，]/)) {
    if (part.trim() === "") continue;
    const pieces = part.split(/[:：=]/).map((s) => s.trim());
    if (pieces.length > 2) return null;
    const [first = "", second] = pieces;
    const target = second === undefined ? "Ct" : first;
    const value = second === undefined ? first : second;
    // Number("") is 0: an empty value is a mistake, not a Ct of 0.
    if (value === "" || target === "") return null;
    const number = Number(value);
    if (!Number.isFinite(number) || number < 0 || number > 100) return null;
    ct[target] = number;
  }
  return Object.keys(ct).length > 0 ? ct : null;
}

export function ResultsScreen() {
  const { t } = useConsoleI18n();
  const explain = useExplain();
  const codeMessage = useCodeMessage();
  const { token, lab } = useLab();
  // No result is chosen until someone chooses one: a scan (or two) never records a result by itself.
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [row, setRow] = useState<ResultRowOutcome | null>(null);
  const [recalls, setRecalls] = useState<{ list: RecallEntry[]; startedAt: number } | null>(null);
  const [shownAfter, setShownAfter] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [timeline, setTimeline] = useState<TubeTimeline | null>(null);
  const tubeInput = useRef<HTMLInputElement>(null);

  // The recall list is on screen: how long since the result was sent.
  useLayoutEffect(() => {
    if (recalls && recalls.list.length > 0) setShownAfter(Math.round(performance.now() - recalls.startedAt));
  }, [recalls]);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const tubeCode = String(form.get("tube") ?? "")
      .trim()
      .toUpperCase();
    const ct = parseCt(String(form.get("ct") ?? ""));
    const reason = String(form.get("reason") ?? "").trim();
    setError(null);
    setRow(null);
    setRecalls(null);
    setShownAfter(null);
    setTimeline(null);
    if (!tubeCode) return tubeInput.current?.focus();
    if (!outcome) {
      setError(t("chooseOutcome"));
      return formElement.querySelector<HTMLInputElement>("input[name=outcome]")?.focus();
    }
    if (ct === null) return setError(t("ctInvalid"));
    const startedAt = performance.now();
    try {
      const [outcomeRow] = (
        await consoleApi.results(token, lab, [
          {
            resultId: `c-${crypto.randomUUID()}`,
            tubeCode,
            outcome,
            resultedAt: new Date().toISOString(),
            ...(ct ? { ct } : {}),
            ...(reason ? { reason } : {}),
          },
        ])
      ).rows;
      setRow(outcomeRow ?? null);
      if (outcomeRow && outcomeRow.status !== "refused") {
        formElement.reset();
        setOutcome(null);
      }
      if (outcomeRow?.siteCode) {
        setTimeline(await consoleApi.timeline(token, lab, outcomeRow.tubeCode, outcomeRow.siteCode));
      }
      if (outcomeRow?.recalled) {
        setRecalls({ list: (await consoleApi.recalls(token, lab, tubeCode)).recalls, startedAt });
      }
    } catch (e) {
      setError(explain(e));
    }
    tubeInput.current?.focus();
  };

  const serverMs = (list: RecallEntry[]) => {
    const first = list[0];
    return first ? Math.max(0, Date.parse(first.createdAt) - Date.parse(first.resultRecordedAt)) : 0;
  };

  return (
    <section aria-labelledby="results-title">
      <h1 id="results-title">{t("navResults")}</h1>
      <form className="card console-form" onSubmit={(e) => void submit(e)} data-testid="result-form">
        <label>
          {t("scanTube")}
          <input
            name="tube"
            ref={tubeInput}
            // biome-ignore lint/a11y/noAutofocus: the bench's scanner gun types into it
            autoFocus
            autoComplete="off"
            data-testid="result-tube"
            aria-describedby="result-tube-hint"
            onKeyDown={(e) => {
              // The gun's Enter ends the tube code: it records nothing. The code stays selected, so a second scan
              // replaces it instead of running on after it; the result is chosen next.
              if (e.key === "Enter") {
                e.preventDefault();
                e.currentTarget.select();
              }
            }}
          />
          <span id="result-tube-hint" className="console-hint">
            {t("scanThenChoose")}
          </span>
        </label>
        <fieldset className="console-outcomes">
          <legend>{t("status")}</legend>
          {OUTCOMES.map((o) => (
            <label key={o} className={`console-outcome console-outcome-${o}`}>
              <input type="radio" name="outcome" value={o} checked={outcome === o} onChange={() => setOutcome(o)} />
              {t(o)}
            </label>
          ))}
        </fieldset>
        <label>
          {t("ct")}
          <input name="ct" autoComplete="off" maxLength={200} />
        </label>
        <label>
          {t("reason")}
          <input name="reason" autoComplete="off" maxLength={200} />
        </label>
        <button type="submit" className="primary" data-testid="record-result">
          {t("record")}
        </button>
      </form>
      {error && (
        <p className="message message-error" role="alert">
          {error}
        </p>
      )}
      {row && (
        <p
          className={`message ${row.status === "refused" ? "message-error" : "message-ok"}`}
          role="status"
          data-testid="result-outcome"
        >
          {row.tubeCode}: {t(row.status)}
          {row.code ? ` — ${codeMessage(row.code, row.message ?? "")}` : ""}
          {row.recalled ? ` — ${t("recalledN", { n: row.recalled })}` : ""}
        </p>
      )}
      {timeline && <Timeline timeline={timeline} />}
      {recalls && recalls.list.length > 0 && (
        <div className="card">
          <p data-testid="recall-timing">
            {t("recallReady", { server: serverMs(recalls.list), screen: shownAfter ?? "…" })}
          </p>
          <RecallTable recalls={recalls.list} />
        </div>
      )}
    </section>
  );
}

/** The tube's way: sampled → sealed → handed over → received → resulted, each step's time and the minutes it took. */
function Timeline({ timeline }: { timeline: TubeTimeline }) {
  const { t, lang } = useConsoleI18n();
  const steps = [
    ["stepSampled", timeline.sampledAt],
    ["stepSealed", timeline.sealedAt],
    ["stepHandedOver", timeline.handedOverAt],
    ["stepReceived", timeline.receivedAt],
    ["stepResulted", timeline.resultedAt],
  ] as const;
  let previous: string | null = null;
  return (
    <ol className="console-timeline" data-testid="tube-timeline" aria-label={`${t("tube")} ${timeline.tubeCode}`}>
      {steps.map(([label, at]) => {
        const minutes = at && previous ? Math.round((Date.parse(at) - Date.parse(previous)) / 6000) / 10 : null;
        if (at) previous = at;
        return (
          <li key={label}>
            <strong>{t(label)}</strong>{" "}
            {at ? new Date(at).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false }) : "—"}
            {minutes !== null ? ` (+${t("minutes", { n: minutes })})` : ""}
          </li>
        );
      })}
    </ol>
  );
}
