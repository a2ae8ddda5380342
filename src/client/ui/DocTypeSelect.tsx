import { DOC_TYPES, type DocType } from "../../domain/documents";
import { useI18n } from "./i18n";

/** The document-type picker, labelled, with every type by its name in the chosen language. */
export function DocTypeSelect({
  value,
  onChange,
  disabled,
}: {
  value: DocType;
  onChange: (docType: DocType) => void;
  disabled?: boolean;
}) {
  const { t, docTypeName } = useI18n();
  return (
    <label>
      {t("docType")}
      <select value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as DocType)}>
        {DOC_TYPES.map((d) => (
          <option key={d} value={d}>
            {docTypeName(d)}
          </option>
        ))}
      </select>
    </label>
  );
}
