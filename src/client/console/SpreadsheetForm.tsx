/**
 * Uploading a spreadsheet the server reads (lab results, sites): a file chooser (CSV or XLSX only), the upload
 * button and the template downloads; the file is checked here first (chosen, right kind) and handed to `onFile`.
 */
import type { FormEvent } from "react";
import { consoleApi } from "./consoleApi";
import { useConsoleI18n } from "./consoleI18n";
import { useConsoleSession } from "./consoleSession";
import { saveFile } from "./saveFile";

export function SpreadsheetForm({
  onFile,
  onError,
  busy,
  templatePath,
  templateName,
  testId,
}: {
  onFile: (file: File) => void;
  onError: (message: string | null, error?: unknown) => void;
  busy: boolean;
  /** The template's API path; `?format=csv|xlsx` is added. */
  templatePath: string;
  templateName: string;
  testId: string;
}) {
  const { t } = useConsoleI18n();
  const token = useConsoleSession()?.token ?? "";
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const file = new FormData(event.currentTarget).get("file");
    onError(null);
    if (!(file instanceof File) || file.size === 0) return onError(t("chooseFile"));
    if (!/\.(csv|xlsx)$/i.test(file.name)) return onError(t("err_unreadable_file"));
    onFile(file);
  };
  const template = (format: "csv" | "xlsx") =>
    void consoleApi
      .download(token, `${templatePath}?format=${format}`)
      .then((blob) => saveFile(blob, `${templateName}.${format}`))
      .catch((e: unknown) => onError(null, e));
  return (
    <form className="card console-form" onSubmit={submit}>
      <label>
        {t("chooseFile")}
        <input type="file" name="file" accept=".csv,.xlsx,text/csv" data-testid={testId} />
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
  );
}
