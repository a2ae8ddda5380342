/** Uploading a result file (CSV or XLSX): each row reported with its line number; templates to download. */
import { useState } from "react";
import type { UploadReport } from "../../../domain/labs";
import { useCodeMessage, useExplain } from "../ConsoleApp";
import { consoleApi } from "../consoleApi";
import { useConsoleI18n } from "../consoleI18n";
import { SpreadsheetForm } from "../SpreadsheetForm";
import { useLab } from "./useLab";

export function UploadScreen() {
  const { t } = useConsoleI18n();
  const explain = useExplain();
  const codeMessage = useCodeMessage();
  const { token, lab } = useLab();
  const [report, setReport] = useState<UploadReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (file: File) => {
    setReport(null);
    setBusy(true);
    try {
      setReport(await consoleApi.upload(token, lab, file));
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="upload-title">
      <h1 id="upload-title">{t("navUpload")}</h1>
      <SpreadsheetForm
        onFile={(file) => void send(file)}
        onError={(message, e) => setError(e === undefined ? message : explain(e))}
        busy={busy}
        templatePath="/labs/results-template"
        templateName="result-template"
        testId="upload-file"
      />
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
