/**
 * Rosters: import a community's list (CSV or XLSX, with a template) and see the refused rows with their lines; then
 * the coverage of the site (a site lead's own) or of the account's place (an admin's city or district).
 */
import { useState } from "react";
import type { RosterImportReport } from "../../../domain/roster";
import { useExplain } from "../ConsoleApp";
import { consoleApi } from "../consoleApi";
import { type ConsoleMessageKey, hasMessage, useConsoleI18n } from "../consoleI18n";
import { useConsoleSession } from "../consoleSession";
import { SpreadsheetForm } from "../SpreadsheetForm";
import { CoveragePanel } from "./CoveragePanel";

export function RostersScreen() {
  const { t } = useConsoleI18n();
  const explain = useExplain();
  const session = useConsoleSession();
  const token = session?.token ?? "";
  const ownSite = session?.staff.role === "site_lead" ? (session.siteCode ?? "") : null;
  const [site, setSite] = useState(ownSite ?? "");
  const [report, setReport] = useState<RosterImportReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Each import asks for the coverage again (its key changes).
  const [imports, setImports] = useState(0);

  const send = async (file: File) => {
    setReport(null);
    setBusy(true);
    try {
      setReport(await consoleApi.importRoster(token, file, site.trim().toUpperCase()));
      setImports((n) => n + 1);
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="rosters-title">
      <h1 id="rosters-title">{t("rostersTitle")}</h1>
      <h2>{t("rosterImportTitle")}</h2>
      <p className="console-hint">{t("rosterImportHint")}</p>
      <label className="console-inline-field">
        {t("rosterSite")}
        <input
          value={site}
          onChange={(e) => setSite(e.target.value)}
          readOnly={ownSite !== null}
          autoCapitalize="characters"
          spellCheck={false}
          data-testid="roster-site"
        />
      </label>
      <SpreadsheetForm
        onFile={(file) => void send(file)}
        onError={(message, e) => setError(e === undefined ? message : explain(e))}
        busy={busy}
        templatePath="/rosters/template"
        templateName="roster-template"
        testId="roster-file"
      />
      {error && (
        <p className="message message-error" role="alert">
          {error}
        </p>
      )}
      {report && (
        <>
          <p className="console-figures" role="status" data-testid="roster-totals">
            {t("rosterTotals", {
              imported: report.imported,
              grids: report.replaced.length,
              refused: report.refusedCount,
              kept: report.exemptionsKept,
            })}
          </p>
          {report.refused.length > 0 && (
            <div className="console-table-wrap">
              {report.refusedCount > report.refused.length && (
                <p className="console-hint">
                  {t("rosterMoreRefused", { shown: report.refused.length, total: report.refusedCount })}
                </p>
              )}
              <table className="console-table" data-testid="roster-refused">
                <thead>
                  <tr>
                    <th>{t("line")}</th>
                    <th>{t("problem")}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.refused.map((r) => (
                    <tr key={r.line} className="console-flag">
                      <td>{r.line}</td>
                      <td>
                        {hasMessage(`roster_${r.reason}`) ? t(`roster_${r.reason}` as ConsoleMessageKey) : r.problem}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      <CoveragePanel key={imports} query={ownSite ? { site: ownSite } : {}} />
    </section>
  );
}
