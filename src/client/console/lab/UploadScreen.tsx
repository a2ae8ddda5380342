/** Uploading a result file (CSV or XLSX): each row reported with its line number; templates to download. */
import { type FormEvent, useState } from "react";
import type { UploadReport } from "../../../domain/labs";
import { useCodeMessage, useExplain } from "../ConsoleApp";
import { consoleApi } from "../consoleApi";
import { useConsoleI18n } from "../consoleI18n";
import { saveFile } from "../saveFile";
import { useLab } from "./useLab";

export function UploadScreen() {
  const { t } = useConsoleI18n();
  const explain = useExplain();
  const codeMessage = useCodeMessage();
  const { token, lab } = useLab();
  const [report, setReport] = useState<UploadReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const upload = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const file = new FormData(event.currentTarget).get("file");
    setError(null);
    setReport(null);
    if (!(file instanceof File) || file.size === 0) return setError(t("chooseFile"));
    if (!/\.(csv|xlsx)$/i.test(file.name)) return setError(t("err_unreadable_file"));
    setBusy(true);
    try {
      setReport(await consoleApi.upload(token, lab, file));
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };
  const template = (format: "csv" | "xlsx") =>
    void consoleApi
      .download(token, `/labs/results-template?format=${format}`)
      .then((blob) => saveFile(blob, `result-template.${format}`))
      .catch((e: unknown) => setError(explain(e)));

  return (
    <section aria-labelledby="upload-title">
      <h1 id="upload-title">{t("navUpload")}</h1>
      <form className="card console-form" onSubmit={(e) => void upload(e)}>
        <label>
          {t("chooseFile")}
          <input type="file" name="file" accept=".csv,.xlsx,text/csv" data-testid="upload-file" />
        </label>
        <div className="console-actions">
          <button type="submit" className="primary" disabled={busy}>
            {t("upload")}
          </button>
          <button type="button" onClick={() => template("xlsx")}>
            {t("templateXlsx")}
          </button>
          <button type="button" onClick={() => template("csv")}>
            {t("templateCsv")}
          </button>
        </div>
      </form>
      {error && (
        <p className="message message-error" role="alert">
          {error}
        </p>
      )}
      {report && (
        <p className="console-figures" role="status" data-testid="upload-totals">
          {t("uploadTotals", {
            recorded: report.rows.filter((r) => r.status === "recorded" || r.status === "changed").length,
            duplicate: report.rows.filter((r) => r.status === "duplicate").length,
            refused: report.rows.filter((r) => r.status === "refused").length,
          })}
        </p>
      )}
      {report && (
        <table className="console-table" data-testid="upload-report">
          <thead>
            <tr>
              <th>{t("line")}</th>
              <th>{t("tube")}</th>
              <th>{t("status")}</th>
              <th>{t("problem")}</th>
            </tr>
          </thead>
          <tbody>
            {report.rows.map((row) => (
              <tr key={row.line} className={row.status === "refused" ? "console-flag" : ""}>
                <td>{row.line}</td>
                <td>{row.tubeCode}</td>
                <td>{t(row.status)}</td>
                <td>
                  {row.code
                    ? codeMessage(row.code, row.message ?? "")
                    : row.recalled
                      ? t("recalledN", { n: row.recalled })
                      : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
