/**
 * The settings screen's box labels: staff of the signed-in site reserve a run of new box codes (the server hands each
 * out once, so this needs the network: offline it says so in both languages), see the labels, and print them.
 */
import { type FormEvent, useEffect, useState } from "react";
import { useSession } from "../data/hooks";
import "../print/labelScreens.css";
import { LabelCountField } from "../print/LabelCountField";
import { ReservedRun } from "../print/ReservedRun";
import { parseLabelCount, useLabelRun } from "../print/useLabelRun";
import { ApiError, type ApiFailure, api } from "../sync/api";
import { BilingualAlert } from "./BilingualAlert";
import { type MessageKey, useI18n } from "./i18n";

type Problem = "count" | "offline" | "signed_out" | "forbidden" | "pattern" | "refused" | "server";

const PROBLEM_KEYS: Record<Problem, MessageKey> = {
  count: "boxLabelsProblem_count",
  offline: "boxLabelsProblem_offline",
  signed_out: "boxLabelsProblem_signed_out",
  forbidden: "boxLabelsProblem_forbidden",
  pattern: "boxLabelsProblem_pattern",
  refused: "boxLabelsProblem_refused",
  server: "boxLabelsProblem_server",
};

function problemOf(failure: ApiFailure): Problem {
  if (failure.kind === "network") return "offline";
  if (failure.status === 401) return "signed_out";
  if (failure.status === 403) return "forbidden";
  if (failure.code === "box_pattern_unfit") return "pattern";
  if (failure.status >= 500 || failure.status === 429) return "server";
  return "refused";
}

/** Whether the browser says it has a network (changes as it comes and goes). */
function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);
  return online;
}

export function BoxLabelsSection() {
  const { t, lang } = useI18n();
  const session = useSession();
  const online = useOnline();
  const [count, setCount] = useState("10");
  const [problem, setProblem] = useState<{ problem: Problem; code?: string } | null>(null);
  const labels = useLabelRun({ lang, title: t("boxLabelsPreview") });
  if (!session?.token) return null;
  const { token } = session;
  const siteCode = session.site.code;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const n = parseLabelCount(count);
    setProblem(n === null ? { problem: "count" } : navigator.onLine ? null : { problem: "offline" });
    if (n === null || !navigator.onLine) return;
    try {
      await labels.reserveAndShow(() => api.reserveBoxLabels(token, siteCode, n));
    } catch (e) {
      if (!(e instanceof ApiError)) setProblem({ problem: "server" });
      else
        setProblem({ problem: problemOf(e.failure), ...(e.failure.kind === "http" ? { code: e.failure.code } : {}) });
    }
  };

  const shown = problem ?? (online ? null : { problem: "offline" as const });
  return (
    <section className="box-labels" data-testid="box-labels" aria-labelledby="box-labels-title">
      <h2 id="box-labels-title">{t("boxLabelsTitle")}</h2>
      <p className="hint">{t("boxLabelsHint", { code: siteCode })}</p>
      <form className="box-labels-form" onSubmit={(e) => void submit(e)} noValidate>
        <LabelCountField
          label={t("boxLabelsCount")}
          value={count}
          onChange={(value) => {
            setCount(value);
            setProblem(null);
          }}
          invalid={problem?.problem === "count"}
          testId="box-labels-count"
        />
        <button type="submit" className="primary" disabled={labels.busy || !online} data-testid="box-labels-reserve">
          {t("boxLabelsReserve")}
        </button>
      </form>
      {shown && (
        <BilingualAlert
          messageKey={PROBLEM_KEYS[shown.problem]}
          values={{ code: problem?.code ?? "" }}
          tone={shown.problem === "offline" ? "warn" : "error"}
          testId="box-labels-problem"
          code={shown.problem}
        />
      )}
      {labels.run && (
        <ReservedRun
          labels={labels}
          message={t("boxLabelsReserved", { n: labels.run.codes.length })}
          printLabel={t("boxLabelsPrint")}
          testId="box-labels"
        />
      )}
      <div ref={labels.preview} className="label-preview" data-testid="box-labels-preview" />
    </section>
  );
}
