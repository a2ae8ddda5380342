/** A city administrator imports the sampling points (code, name, district, street, pool size) from CSV or XLSX. */
import { useState } from "react";
import { useExplain } from "../ConsoleApp";
import { consoleApi, type SiteImportRow } from "../consoleApi";
import { type ConsoleMessageKey, hasMessage, useConsoleI18n } from "../consoleI18n";
import { useConsoleSession } from "../consoleSession";
import { SpreadsheetForm } from "../SpreadsheetForm";

export function SitesImport() {
  const { t } = useConsoleI18n();
  const explain = useExplain();
  const token = useConsoleSession()?.token ?? "";
  const [rows, setRows] = useState<SiteImportRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (file: File) => {
    setRows(null);
    setBusy(true);
    try {
      setRows((await consoleApi.importSites(token, file)).rows);
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };
  const count = (status: SiteImportRow["status"]) => rows?.filter((r) => r.status === status).length ?? 0;

  return (
    <section aria-labelledby="sites-import-title">
      <h2 id="sites-import-title">{t("sitesImportTitle")}</h2>
      <SpreadsheetForm
        onFile={(file) => void send(file)}
        onError={(message, e) => setError(e === undefined ? message : explain(e))}
        busy={busy}
        templatePath="/admin/sites/template"
        templateName="sites-template"
        testId="sites-file"
      />
      {error && (
        <p className="message message-error" role="alert">
          {error}
        </p>
      )}
      {rows && (
        <>
          <p className="console-figures" role="status" data-testid="sites-totals">
            {t("sitesTotals", {
              created: count("created"),
              updated: count("updated"),
              unchanged: count("unchanged"),
              refused: count("refused"),
            })}
          </p>
          {count("refused") > 0 && (
            <table className="console-table">
              <thead>
                <tr>
                  <th>{t("line")}</th>
                  <th>{t("site")}</th>
                  <th>{t("problem")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) =>
                  r.status === "refused" ? (
                    <tr key={r.line} className="console-flag">
                      <td>{r.line}</td>
                      <td>{r.code}</td>
                      <td>
                        {r.reason && hasMessage(`site_${r.reason}`)
                          ? t(`site_${r.reason}` as ConsoleMessageKey)
                          : r.problem}
                      </td>
                    </tr>
                  ) : null,
                )}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
