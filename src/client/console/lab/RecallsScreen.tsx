/**
 * Recall lists: the residents of positive (or invalid) pools with how to reach them, each one's state, exports (CSV
 * with BOM, XLSX) and a printable view; today's turnaround above.
 */
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { DOC_TYPE_NAMES } from "../../../domain/documentNames";
import type { RecallEntry } from "../../../domain/labs";
import { useExplain } from "../ConsoleApp";
import { consoleApi } from "../consoleApi";
import { useConsoleI18n } from "../consoleI18n";
import { saveFile } from "../saveFile";
import { useLab } from "./useLab";

type Turnaround = Awaited<ReturnType<typeof consoleApi.turnaround>>;

export function RecallsScreen() {
  const { t } = useConsoleI18n();
  const explain = useExplain();
  const { token, lab } = useLab();
  const [tube, setTube] = useState("");
  const [recalls, setRecalls] = useState<RecallEntry[] | null>(null);
  const [turnaround, setTurnaround] = useState<Turnaround | null>(null);
  const [error, setError] = useState<string | null>(null);

  const [busyId, setBusyId] = useState<string | null>(null);
  const load = useCallback(async () => {
    setError(null);
    try {
      setRecalls((await consoleApi.recalls(token, lab, tube || undefined)).recalls);
      setTurnaround(await consoleApi.turnaround(token, lab));
    } catch (e) {
      setError(explain(e));
    }
  }, [token, lab, tube, explain]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: loads once on opening; the filter form loads again
  useEffect(() => {
    void load();
  }, []);

  const filter = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void load();
  };
  const exportAs = (format: "csv" | "xlsx") =>
    void consoleApi
      .download(
        token,
        `/labs/${encodeURIComponent(lab)}/recalls/export?format=${format}${tube ? `&tube=${encodeURIComponent(tube)}` : ""}`,
      )
      .then((blob) => saveFile(blob, `recalls-${lab}${tube ? `-${tube}` : ""}.${format}`))
      .catch((e: unknown) => setError(explain(e)));
  const contacted = async (id: string) => {
    setBusyId(id);
    try {
      await consoleApi.contacted(token, id);
      await load();
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusyId(null);
    }
  };
  const minutes = (n: number | null) => (n === null ? "—" : t("minutes", { n }));

  return (
    <section aria-labelledby="recalls-title">
      <h1 id="recalls-title">{t("navRecalls")}</h1>
      {turnaround && (
        <p className="console-figures no-print" data-testid="turnaround">
          {t("turnaround")}: {turnaround.tubes} {t("tubes")} · {t("receivedToResulted")} {t("median")}{" "}
          {minutes(turnaround.receivedToResulted.medianMinutes)} / {t("p95")}{" "}
          {minutes(turnaround.receivedToResulted.p95Minutes)} · {t("sampledToResulted")} {t("median")}{" "}
          {minutes(turnaround.sampledToResulted.medianMinutes)} / {t("p95")}{" "}
          {minutes(turnaround.sampledToResulted.p95Minutes)}
        </p>
      )}
      <form className="console-scan no-print" onSubmit={filter}>
        <label>
          {t("filterTube")}
          <input value={tube} onChange={(e) => setTube(e.target.value.trim().toUpperCase())} autoComplete="off" />
        </label>
        <button type="submit">{t("lookUp")}</button>
        <button type="button" onClick={() => exportAs("csv")}>
          {t("exportCsv")}
        </button>
        <button type="button" onClick={() => exportAs("xlsx")}>
          {t("exportXlsx")}
        </button>
        <button type="button" onClick={() => window.print()}>
          {t("print")}
        </button>
      </form>
      {error && (
        <p className="message message-error" role="alert">
          {error}
        </p>
      )}
      {recalls &&
        (recalls.length === 0 ? (
          <p>{t("noRecalls")}</p>
        ) : (
          <RecallTable recalls={recalls} onContacted={contacted} busyId={busyId} />
        ))}
    </section>
  );
}

export function RecallTable({
  recalls,
  onContacted,
  busyId = null,
}: {
  recalls: RecallEntry[];
  onContacted?: (id: string) => void;
  busyId?: string | null;
}) {
  const { t, lang } = useConsoleI18n();
  const when = (iso: string) =>
    new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", {
      hour12: false,
      dateStyle: "short",
      timeStyle: "short",
    });
  return (
    <div className="console-table-wrap">
      <table className="console-table console-table-wide" data-testid="recall-table">
        <thead>
          <tr>
            {/* Who, how to reach them, and their state first: on a tablet the rest scrolls, not these. */}
            <th>{t("name")}</th>
            <th>{t("phone")}</th>
            <th>{t("state")}</th>
            {onContacted && (
              <th className="no-print">
                <span className="visually-hidden">{t("markContacted")}</span>
              </th>
            )}
            <th>{t("document")}</th>
            <th>{t("community")}</th>
            <th>{t("site")}</th>
            <th>{t("sampledAt")}</th>
            <th>{t("staff")}</th>
            <th>{t("tube")}</th>
          </tr>
        </thead>
        <tbody>
          {recalls.map((r) => (
            <tr key={r.id} data-testid="recall-row">
              <td className="console-name">{r.name}</td>
              <td className="nowrap">{r.phone ?? ""}</td>
              <td className="nowrap" data-testid="recall-state">
                {t(r.state)}
                {r.singleOutcome ? ` (${t(r.singleOutcome)})` : ""}
              </td>
              {onContacted && (
                <td className="no-print">
                  {r.state === "to_contact" && (
                    <button type="button" onClick={() => onContacted(r.id)} disabled={busyId !== null}>
                      {t("markContacted")}
                    </button>
                  )}
                </td>
              )}
              <td>
                {DOC_TYPE_NAMES[lang][r.docType]} <span className="nowrap">{r.docNumber}</span>
              </td>
              <td className="console-place">{r.community ?? ""}</td>
              <td className="console-place">{r.siteName}</td>
              <td>{when(r.registeredAt)}</td>
              <td className="console-name">{r.staffName}</td>
              <td>
                <span className="nowrap">{r.tubeCode}</span> ({t(r.outcome)})
                {r.singleTubeCode ? (
                  <>
                    {" → "}
                    <span className="nowrap">{r.singleTubeCode}</span>
                  </>
                ) : (
                  ""
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
