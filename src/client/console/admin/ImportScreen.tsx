/**
 * An administrator imports a device's exported queue file (the escape hatch's other end; it was /admin.html): exactly
 * once, as if the phone had pushed it.
 */
import { type FormEvent, useState } from "react";
import type { ImportResponse } from "../../../domain/protocol";
import { useExplain } from "../ConsoleApp";
import { consoleApi } from "../consoleApi";
import { useConsoleI18n } from "../consoleI18n";
import { useConsoleSession } from "../consoleSession";
import { SitesImport } from "./SitesImport";

export function ImportScreen() {
  const { t } = useConsoleI18n();
  const explain = useExplain();
  const session = useConsoleSession();
  const token = session?.token ?? "";
  const [result, setResult] = useState<ImportResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const importFile = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const file = new FormData(event.currentTarget).get("file");
    setError(null);
    setResult(null);
    if (!(file instanceof File) || file.size === 0) return setError(t("chooseFile"));
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch {
      return setError(t("notJson"));
    }
    setBusy(true);
    try {
      setResult(await consoleApi.importQueue(token, parsed));
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="import-title">
      <h1 id="import-title">{t("navImport")}</h1>
      <form className="card console-form" onSubmit={(e) => void importFile(e)} data-testid="admin-import">
        <p>{t("importHint")}</p>
        <input
          type="file"
          name="file"
          accept="application/json,.json"
          data-testid="import-file"
          aria-label={t("chooseFile")}
        />
        <button type="submit" className="primary" disabled={busy}>
          {t("importButton")}
        </button>
      </form>
      {error && (
        <p className="message message-error" role="alert" data-testid="admin-error">
          {error}
        </p>
      )}
      {result && (
        <div className="message message-ok" role="status" data-testid="import-result">
          <p>
            {result.deviceId} · {result.siteCode}: {t("importEvents", { n: result.events })}
          </p>
          <dl className="console-counts">
            <dt>{t("importAccepted")}</dt>
            <dd data-testid="import-accepted">{result.accepted}</dd>
            <dt>{t("importDuplicates")}</dt>
            <dd data-testid="import-duplicates">{result.duplicates}</dd>
            <dt>{t("importRejected")}</dt>
            <dd data-testid="import-rejected">{result.rejected}</dd>
          </dl>
          {result.rejections.length > 0 && (
            <ul>
              {result.rejections.map((r) => (
                <li key={r.index}>
                  #{r.index} {r.code}: {r.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {/* Sites are the city's: a district admin would only be refused. */}
      {!session?.district && <SitesImport />}
    </section>
  );
}
