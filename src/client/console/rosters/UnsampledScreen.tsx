/**
 * The not-yet-sampled residents of a site (or one grid) for door-to-door calls: name, phone, masked number, where;
 * exported as CSV or Excel, or printed. A resident who is away, in hospital or sampled elsewhere can be exempted
 * (with a reason, audited), which takes them off the denominator; exemptions are listed apart and can be withdrawn.
 */
import { type FormEvent, useEffect, useState } from "react";
import { Link, useSearchParams } from "wouter";
import { DOC_TYPE_NAMES } from "../../../domain/documentNames";
import { maskDocumentNumber } from "../../../domain/documents";
import { encodeResidentCode } from "../../../domain/residentCode";
import {
  EXEMPTION_REASONS,
  type ExemptionReason,
  type RosterCards,
  type RosterResident,
  type UnsampledList,
  type UnsampledQuery,
} from "../../../domain/roster";
import { PRINT_TIP } from "../../print/residentCardText";
import { QrCode } from "../../resident/QrCode";
import { useExplain } from "../ConsoleApp";
import { consoleApi, searchOf } from "../consoleApi";
import { type ConsoleMessageKey, useConsoleI18n } from "../consoleI18n";
import { useConsoleSession } from "../consoleSession";
import "../../print/residentCards.css";
import { saveFile } from "../saveFile";

export function UnsampledScreen() {
  const { t, lang } = useConsoleI18n();
  const explain = useExplain();
  const session = useConsoleSession();
  const token = session?.token ?? "";
  const [params] = useSearchParams();
  const query: UnsampledQuery = { site: params.get("site") ?? "" };
  for (const key of ["grid", "community", "round", "day"] as const) {
    const value = params.get(key);
    if (value) query[key] = value;
  }
  const key = JSON.stringify(query);
  const [list, setList] = useState<UnsampledList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exempting, setExempting] = useState<RosterResident | null>(null);
  const [reload, setReload] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: key stands for query
  useEffect(() => {
    let stopped = false;
    consoleApi
      .unsampled(token, query)
      .then((next) => !stopped && setList(next))
      .catch((e: unknown) => !stopped && setError(explain(e)));
    return () => {
      stopped = true;
    };
  }, [token, key, reload]);

  const withdraw = async (resident: RosterResident) => {
    setError(null);
    try {
      await consoleApi.withdrawExemption(token, resident.id);
      setReload((n) => n + 1);
    } catch (e) {
      setError(explain(e));
    }
  };
  const download = (format: "csv" | "xlsx") => {
    setError(null);
    void consoleApi
      .download(token, `/rosters/unsampled/export${searchOf({ ...query, format })}`)
      .then((blob) =>
        saveFile(blob, `${t("unsampledTitle")}-${query.site}${query.grid ? `-${query.grid}` : ""}.${format}`),
      )
      .catch((e: unknown) => setError(explain(e)));
  };
  const docType = (r: RosterResident) => DOC_TYPE_NAMES[lang][r.docType];
  // Cards for residents without a phone: rendered for print only, printed, then dropped (they hold full numbers).
  const [cards, setCards] = useState<RosterCards["residents"] | null>(null);
  const printCards = async () => {
    setError(null);
    try {
      const { grid, community, site } = query;
      const { residents } = await consoleApi.rosterCards(token, {
        site,
        withoutPhone: "1",
        ...(grid ? { grid } : {}),
        ...(community ? { community } : {}),
      });
      if (residents.length === 0) setError(t("printCardsNone"));
      else setCards(residents);
    } catch (e) {
      setError(explain(e));
    }
  };
  useEffect(() => {
    if (!cards) return;
    const done = () => setCards(null);
    window.addEventListener("afterprint", done);
    window.print();
    return () => window.removeEventListener("afterprint", done);
  }, [cards]);
  const backQuery = searchOf({ site: query.site, round: query.round, day: query.day });

  return (
    <section aria-labelledby="unsampled-title" className={cards ? "unsampled printing-cards" : "unsampled"}>
      {cards && <ResidentCards residents={cards} />}
      <div className="no-print">
        <Link href={session?.staff.role === "admin" ? `/command${backQuery}` : "/rosters"}>
          ‹ {t("backToCoverage")}
        </Link>
      </div>
      <h1 id="unsampled-title">
        {t("unsampledTitle")} · {query.site}
        {query.grid ? ` · ${query.community ? `${query.community} ` : ""}${query.grid}` : ` · ${t("allGrids")}`}
      </h1>
      {error && (
        <p className="message message-error" role="alert">
          {error}
        </p>
      )}
      {list && (
        <>
          <p className="console-figures" data-testid="unsampled-count">
            {t("unsampledCount", { n: list.total, from: list.from, to: list.to !== list.from ? ` – ${list.to}` : "" })}
            {list.residents.length < list.total && ` · ${t("unsampledShown", { n: list.residents.length })}`}
          </p>
          <div className="console-actions no-print">
            <button type="button" onClick={() => download("xlsx")} data-testid="unsampled-xlsx">
              {t("exportXlsx")}
            </button>
            <button type="button" onClick={() => download("csv")} data-testid="unsampled-csv">
              {t("exportCsv")}
            </button>
            <button type="button" onClick={() => window.print()}>
              {t("print")}
            </button>
            <button type="button" onClick={() => void printCards()} data-testid="print-cards">
              {t("printCards")}
            </button>
          </div>
          {exempting && (
            <ExemptForm
              resident={exempting}
              onDone={() => {
                setExempting(null);
                setReload((n) => n + 1);
              }}
              onCancel={() => setExempting(null)}
            />
          )}
          <div className="console-table-wrap">
            <table className="console-table" data-testid="unsampled-table">
              <thead>
                <tr>
                  <th>{t("name")}</th>
                  <th>{t("phone")}</th>
                  <th>{t("community")}</th>
                  <th>{t("grid")}</th>
                  <th>{t("docNumber")}</th>
                  <th className="no-print">
                    <span className="visually-hidden">{t("exempt")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.residents.map((r) => (
                  <tr key={r.id} data-testid="unsampled-row">
                    <td>{r.name}</td>
                    <td className="nowrap">{r.phone ?? "—"}</td>
                    <td>{r.community || "—"}</td>
                    <td>{r.grid}</td>
                    <td className="nowrap">
                      {r.docNumber} <small>{docType(r)}</small>
                    </td>
                    <td className="no-print">
                      <button
                        type="button"
                        onClick={() => setExempting(r)}
                        aria-label={t("exemptTitle", { name: r.name })}
                      >
                        {t("exempt")}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {list.exempted.length > 0 && (
            <>
              <h2>{t("exemptedTitle")}</h2>
              <div className="console-table-wrap">
                <table className="console-table" data-testid="exempted-table">
                  <tbody>
                    {list.exempted.map((r) => (
                      <tr key={r.id} data-testid="exempted-row">
                        <td>{r.name}</td>
                        <td>{r.grid}</td>
                        <td>
                          {r.exemption &&
                            t("exemptedBy", {
                              reason: t(`exempt_${r.exemption.reason}` as ConsoleMessageKey),
                              from: r.exemption.from,
                              until: r.exemption.until ? ` – ${r.exemption.until}` : "",
                            })}
                          {r.exemption?.note ? ` · ${r.exemption.note}` : ""}
                        </td>
                        <td className="no-print">
                          <button type="button" onClick={() => void withdraw(r)}>
                            {t("withdraw")}
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}

/** A6 cards with each resident's SP1 code, for print only (src/client/print/residentCards.css). */
function ResidentCards({ residents }: { residents: RosterCards["residents"] }) {
  const { t, lang } = useConsoleI18n();
  return (
    <div className="print-only roster-cards" data-testid="roster-cards">
      {residents.map((r) => {
        const code = encodeResidentCode({
          name: r.name,
          docType: r.docType,
          docNumber: r.docNumber,
          ...(r.community ? { community: r.community } : {}),
        });
        if (!code.ok) return null;
        return (
          <section key={`${r.docType}${r.docNumber}`} className="print-card" data-testid="print-card">
            <h2 className="print-name">{r.name}</h2>
            <p className="print-doc">
              {DOC_TYPE_NAMES[lang][r.docType]} {maskDocumentNumber(r.docNumber)}
            </p>
            <QrCode text={code.value} label={t("cardQr", { name: r.name })} className="print-qr" />
            <p className="print-tip">{PRINT_TIP}</p>
          </section>
        );
      })}
    </div>
  );
}

function ExemptForm({
  resident,
  onDone,
  onCancel,
}: {
  resident: RosterResident;
  onDone: () => void;
  onCancel: () => void;
}) {
  const { t } = useConsoleI18n();
  const explain = useExplain();
  const token = useConsoleSession()?.token ?? "";
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const note = String(form.get("note") ?? "").trim();
    const until = String(form.get("until") ?? "");
    setBusy(true);
    setError(null);
    try {
      await consoleApi.exempt(token, resident.id, {
        reason: String(form.get("reason")) as ExemptionReason,
        ...(note ? { note } : {}),
        ...(until ? { until } : {}),
      });
      onDone();
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card console-form no-print" onSubmit={(e) => void submit(e)} data-testid="exempt-form">
      <h2>{t("exemptTitle", { name: resident.name })}</h2>
      <fieldset className="console-choices">
        <legend>{t("exemptReason")}</legend>
        {EXEMPTION_REASONS.map((reason, i) => (
          <label key={reason} className="console-check">
            <input type="radio" name="reason" value={reason} defaultChecked={i === 0} />
            {t(`exempt_${reason}` as ConsoleMessageKey)}
          </label>
        ))}
      </fieldset>
      <label>
        {t("exemptNote")}
        <input name="note" maxLength={200} />
      </label>
      <label>
        {t("exemptUntil")}
        <input name="until" type="date" />
      </label>
      {error && (
        <p className="message message-error" role="alert">
          {error}
        </p>
      )}
      <div className="console-actions">
        <button type="submit" className="primary" disabled={busy} data-testid="exempt-save">
          {t("exemptSave")}
        </button>
        <button type="button" onClick={onCancel}>
          {t("cancel")}
        </button>
      </div>
    </form>
  );
}
