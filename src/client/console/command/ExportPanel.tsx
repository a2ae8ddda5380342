/**
 * Exports from the command centre: the dataset, CSV or XLSX, for the place and period on screen. Full document
 * numbers and phones only with a reason (the server checks the role and keeps the reason in its audit log). The
 * server answers a one-time URL; the browser streams the file straight to disk from it.
 */
import { type FormEvent, useState } from "react";
import { type DashboardQuery, EXPORT_DATASETS, type ExportDataset } from "../../../domain/command";
import { useExplain } from "../ConsoleApp";
import { consoleApi } from "../consoleApi";
import { useConsoleI18n } from "../consoleI18n";
import { useConsoleSession } from "../consoleSession";

export function ExportPanel({ query, place, period }: { query: DashboardQuery; place: string; period: string }) {
  const { t } = useConsoleI18n();
  const explain = useExplain();
  const token = useConsoleSession()?.token ?? "";
  const [dataset, setDataset] = useState<ExportDataset>("registrations");
  const [format, setFormat] = useState<"csv" | "xlsx">("xlsx");
  const [full, setFull] = useState(false);
  const [reason, setReason] = useState("");
  // The started download is kept as its file name, so the message follows a language switch.
  const [started, setStarted] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setStarted(null);
    setError(null);
    setBusy(true);
    try {
      const ticket = await consoleApi.exportTicket(token, {
        dataset,
        format,
        ...query,
        full,
        ...(full ? { reason: reason.trim() } : {}),
      });
      // The file comes as an attachment: the page stays, the browser saves it.
      window.location.assign(ticket.url);
      setStarted(ticket.fileName);
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="export-title" className="card dashboard-export">
      <h2 id="export-title" className="dashboard-h2">
        {t("exportTitle")}
      </h2>
      <p>{t("exportScope", { place, period })}</p>
      <form className="console-scan" onSubmit={(e) => void submit(e)} data-testid="export-form">
        <label>
          {t("exportDataset")}
          <select
            value={dataset}
            onChange={(e) => setDataset(e.target.value as ExportDataset)}
            data-testid="export-dataset"
          >
            {EXPORT_DATASETS.map((d) => (
              <option key={d} value={d}>
                {t(`dataset_${d}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("exportFormat")}
          <select
            value={format}
            onChange={(e) => setFormat(e.target.value as "csv" | "xlsx")}
            data-testid="export-format"
          >
            <option value="xlsx">XLSX</option>
            <option value="csv">CSV</option>
          </select>
        </label>
        <label className="console-check">
          <input type="checkbox" checked={full} onChange={(e) => setFull(e.target.checked)} data-testid="export-full" />
          {t("exportFull")}
        </label>
        {full && (
          <label>
            {t("exportReason")}
            <input
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              required
              minLength={2}
              maxLength={200}
              data-testid="export-reason"
            />
          </label>
        )}
        <button type="submit" className="primary" disabled={busy} data-testid="export-button">
          {t("exportButton")}
        </button>
      </form>
      {!full && <p className="console-hint">{t("exportMasked")}</p>}
      {started && (
        <p className="message message-ok" role="status">
          {t("exportStarted", { file: started })}
        </p>
      )}
      {error && (
        <p className="message message-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
