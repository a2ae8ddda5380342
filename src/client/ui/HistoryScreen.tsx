import { useDeferredValue, useState } from "react";
import { maskDocumentNumber } from "../../domain/documents";
import { useStationView } from "../data/hooks";
import { searchTubes } from "../station/history";
import { useI18n } from "./i18n";

/** Tubes with their members, searchable by tube code or document number; numbers masked except in the detail view. */
export function HistoryScreen({ deviceId }: { deviceId: string }) {
  const { t, docTypeName } = useI18n();
  const view = useStationView(deviceId);
  const [query, setQuery] = useState("");
  const deferred = useDeferredValue(query);
  const [revealed, setRevealed] = useState<string | null>(null);
  const results = view ? searchTubes(view.state, deferred, 50) : [];

  return (
    <main className="screen history-screen">
      <section className="card">
        <label>
          {t("searchLabel")}
          <input
            data-testid="history-search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            autoComplete="off"
          />
        </label>
        {results.length === 0 && <p>{t("noResults")}</p>}
        <div data-testid="history-results">
          {results.map(({ tube, members }) => (
            <details key={tube.code} className="history-item" data-testid={`history-${tube.code}`}>
              <summary>
                <strong>{tube.code}</strong>
                <span className="badge">{t(`tubeStatus_${tube.status}`)}</span>
                {tube.sealed?.short && <span className="badge">{t("short")}</span>}
                <span>
                  {members.length} / {tube.capacity}
                </span>
                {tube.boxCode && <span className="badge">{tube.boxCode}</span>}
              </summary>
              <ol className="members">
                {members.map((m) => (
                  <li key={m.id}>
                    <span className="member-name">{m.resident.name}</span>
                    <span className="member-doc">
                      {docTypeName(m.resident.docType)}{" "}
                      {revealed === m.id ? m.resident.docNumber : maskDocumentNumber(m.resident.docNumber)}
                    </span>
                    <span>{new Date(m.registeredAt).toLocaleTimeString()}</span>
                    {revealed !== m.id && (
                      <button type="button" className="small" onClick={() => setRevealed(m.id)}>
                        {t("showFull")}
                      </button>
                    )}
                  </li>
                ))}
              </ol>
            </details>
          ))}
        </div>
      </section>
    </main>
  );
}
