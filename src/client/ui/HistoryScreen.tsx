import { useDeferredValue, useEffect, useState } from "react";
import { maskDocumentNumber } from "../../domain/documents";
import type { Registration } from "../../domain/projection";
import { reasonForDisplay } from "../../domain/reasons";
import { useStaffNames, useStationView } from "../data/hooks";
import { type BoxResult, prepareHistorySearch, searchHistory, type TubeResult } from "../station/history";
import { formatDateTime, type Lang, useI18n } from "./i18n";

/** Tubes shown at most; a broader query says so and asks for more characters. */
const LIMIT = 50;

const shortTime = (at: string, lang: Lang) => formatDateTime(at, lang);

/**
 * Tubes with their members, searchable by name, the last 4–6 characters of a document number, tube or box code.
 * Numbers are masked (first 6 + last 4) unless staff ask for one; voids, transfers and handovers say why, who and when.
 */
export function HistoryScreen({ deviceId }: { deviceId: string }) {
  const { t } = useI18n();
  const view = useStationView(deviceId);
  const [query, setQuery] = useState("");
  const deferred = useDeferredValue(query);
  const results = view ? searchHistory(view.state, deferred, LIMIT) : { tubes: [], boxes: [] };
  const searching = deferred.trim() !== "";
  const state = view?.state;
  useEffect(() => {
    if (!state) return;
    // Index a day's names and numbers while staff look at the list, not on their first keystroke.
    const { requestIdleCallback, cancelIdleCallback } = window;
    if (!requestIdleCallback) {
      const timer = setTimeout(() => prepareHistorySearch(state), 200);
      return () => clearTimeout(timer);
    }
    const idle = requestIdleCallback(() => prepareHistorySearch(state), { timeout: 2000 });
    return () => cancelIdleCallback(idle);
  }, [state]);

  return (
    <main className="screen history-screen">
      <div className="history-search">
        <label>
          {t("historySearchLabel")}
          <input
            type="search"
            data-testid="history-search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder={t("historySearchHint")}
            autoComplete="off"
            autoCorrect="off"
            spellCheck={false}
          />
        </label>
      </div>
      <div data-testid="history-results" className="history-results" aria-live="polite">
        {results.boxes.map((result) => (
          <BoxCard key={result.box.code} result={result} onTube={setQuery} />
        ))}
        {results.tubes.map((result) => (
          <TubeItem key={result.tube.code} result={result} />
        ))}
        {results.tubes.length === 0 && results.boxes.length === 0 && (
          <p data-testid="history-nothing">
            {searching ? t("historyNothing", { q: deferred.trim() }) : t("noResults")}
          </p>
        )}
        {results.tubes.length >= LIMIT && <p className="history-note">{t("historyLimited", { n: LIMIT })}</p>}
      </div>
    </main>
  );
}

function useWho() {
  const { t } = useI18n();
  const names = useStaffNames();
  return (staffId: string) => names?.[staffId] ?? t("historyStaffUnknown", { id: staffId.slice(0, 8) });
}

function TubeItem({ result }: { result: TubeResult }) {
  const { t, lang } = useI18n();
  const who = useWho();
  const { tube, registrations, activeCount, matched } = result;
  return (
    <details className="history-item" data-testid={`history-${tube.code}`} open={matched.size > 0 || undefined}>
      <summary>
        <strong className="history-code">{tube.code}</strong>
        <span className="badge">
          {t(
            tube.transferredTo
              ? "tubeStatus_transferred"
              : tube.abandoned
                ? "tubeStatus_abandoned"
                : `tubeStatus_${tube.status}`,
          )}
        </span>
        {tube.sealed?.short && <span className="badge">{t("short")}</span>}
        <span>
          {activeCount} / {tube.capacity}
        </span>
        {tube.boxCode && <span className="badge">{tube.boxCode}</span>}
        <span className="history-time">{shortTime(tube.openedAt, lang)}</span>
      </summary>
      {tube.transferredTo && (
        <p className="history-event" data-testid="history-transfer">
          {t("historyTransferredTo", {
            tube: tube.transferredTo.tubeCode,
            reason: reasonForDisplay(tube.transferredTo.reason, lang),
            who: who(tube.transferredTo.staffId),
            time: shortTime(tube.transferredTo.at, lang),
          })}
        </p>
      )}
      {tube.abandoned && (
        <p className="history-event" data-testid="history-abandoned">
          {t("historyAbandoned", {
            reason: reasonForDisplay(tube.abandoned.reason, lang),
            who: who(tube.abandoned.staffId),
            time: shortTime(tube.abandoned.at, lang),
          })}
        </p>
      )}
      {tube.transferredFrom && (
        <p className="history-event">{t("historyTransferredFrom", { tube: tube.transferredFrom })}</p>
      )}
      {tube.sealed && <p className="history-event">{t("historySealed", { time: shortTime(tube.sealed.at, lang) })}</p>}
      <ol className="history-members">
        {registrations.map((r) => (
          <MemberRow key={r.id} registration={r} matched={matched.has(r.id)} who={who} />
        ))}
      </ol>
    </details>
  );
}

function MemberRow({
  registration: r,
  matched,
  who,
}: {
  registration: Registration;
  matched: boolean;
  who: (staffId: string) => string;
}) {
  const { t, lang, docTypeName } = useI18n();
  const [revealed, setRevealed] = useState(false);
  return (
    <li
      className={`history-member${matched ? " history-match" : ""}${r.voided ? " history-voided" : ""}`}
      data-testid={`history-member-${r.id}`}
      data-match={matched || undefined}
    >
      <div className="history-member-text">
        <span className="member-name">{r.resident.name}</span>{" "}
        <span className="member-doc">{revealed ? r.resident.docNumber : maskDocumentNumber(r.resident.docNumber)}</span>
        <small>
          {docTypeName(r.resident.docType)} · {shortTime(r.registeredAt, lang)}
        </small>
        {r.repeatReason && <small>{t("historyRepeat", { reason: reasonForDisplay(r.repeatReason, lang) })}</small>}
        {r.voided && (
          <small className="history-void" data-testid="history-void">
            {t("historyVoided", {
              reason: reasonForDisplay(r.voided.reason, lang),
              who: who(r.voided.staffId),
              time: shortTime(r.voided.at, lang),
            })}
          </small>
        )}
      </div>
      {!revealed && (
        <button type="button" className="history-reveal" onClick={() => setRevealed(true)}>
          {t("historyShow")}
        </button>
      )}
    </li>
  );
}

function BoxCard({ result, onTube }: { result: BoxResult; onTube: (code: string) => void }) {
  const { t, lang } = useI18n();
  const who = useWho();
  const { box, tubes } = result;
  const { handover } = box;
  return (
    <section className="history-box" data-testid={`history-box-${box.code}`}>
      <header>
        <strong className="history-code">{box.code}</strong>
        <span className="badge">{t(`boxStatus_${box.status}`)}</span>
        <span>{tubes.length === 1 ? t("historyOneTube") : t("historyTubes", { n: tubes.length })}</span>
      </header>
      {handover && (
        <p className="history-event" data-testid="history-handover">
          {t("historyHandover", {
            courier: handover.courierName,
            phone: handover.courierPhone,
            time: shortTime(handover.at, lang),
            who: who(handover.staffId),
          })}
          {handover.vehiclePlate ? ` ${t("historyPlate", { plate: handover.vehiclePlate })}` : ""}
        </p>
      )}
      <div className="history-box-tubes">
        {tubes.map((tube) => (
          <button key={tube.code} type="button" className="history-chip" onClick={() => onTube(tube.code)}>
            {tube.code} · {t(`tubeStatus_${tube.status}`)}
          </button>
        ))}
      </div>
    </section>
  );
}
