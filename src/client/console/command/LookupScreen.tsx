/**
 * An admin's lookups: a resident by document number, a tube, or a box (typed or scanned with a gun). Each asks for
 * a reason, which the server keeps in the audit log with who asked and what.
 */
import { type FormEvent, useState } from "react";
import type { LookupAnswer, LookupKind } from "../../../domain/command";
import { DOC_TYPE_NAMES } from "../../../domain/documentNames";
import type { DocType } from "../../../domain/documents";
import { useExplain } from "../ConsoleApp";
import { consoleApi } from "../consoleApi";
import { type ConsoleMessageKey, useConsoleI18n } from "../consoleI18n";
import { useConsoleSession } from "../consoleSession";

type Tube = LookupAnswer["tubes"][number];

export function LookupScreen() {
  const { t, lang } = useConsoleI18n();
  const explain = useExplain();
  const token = useConsoleSession()?.token ?? "";
  const [kind, setKind] = useState<LookupKind>("resident");
  const [reason, setReason] = useState("");
  const [answer, setAnswer] = useState<LookupAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const when = (iso: string | null) =>
    iso
      ? new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", {
          hour12: false,
          dateStyle: "short",
          timeStyle: "short",
        })
      : "—";
  const outcome = (tube: Omit<Tube, "residents">) =>
    tube.result ? `${t(tube.result.outcome as ConsoleMessageKey)} (${tube.result.labCode})` : t("pending");

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    setAnswer(null);
    try {
      setAnswer(
        await consoleApi.lookup(token, { kind, code: String(form.get("code") ?? "").trim(), reason: reason.trim() }),
      );
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };

  const found = answer ? answer.registrations.length + answer.tubes.length + answer.boxes.length : 0;
  return (
    <section aria-labelledby="lookup-title">
      <h1 id="lookup-title">{t("navLookup")}</h1>
      <form className="console-scan" onSubmit={(e) => void submit(e)} data-testid="lookup-form">
        <label>
          {t("lookupKind")}
          <select value={kind} onChange={(e) => setKind(e.target.value as LookupKind)} data-testid="lookup-kind">
            {(["resident", "tube", "box"] as const).map((k) => (
              <option key={k} value={k}>
                {t(`lookup_${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("lookupCode")}
          <input name="code" required minLength={2} maxLength={64} autoComplete="off" data-testid="lookup-code" />
        </label>
        <label>
          {t("lookupReason")}
          <input
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            required
            minLength={2}
            maxLength={200}
            list="lookup-reasons"
            data-testid="lookup-reason"
          />
          <datalist id="lookup-reasons">
            {(["reasonContact", "reasonPositive", "reasonTransport"] as const).map((r) => (
              <option key={r} value={t(r)} />
            ))}
          </datalist>
        </label>
        <button type="submit" disabled={busy}>
          {t("lookUp")}
        </button>
      </form>
      {error && (
        <p className="message message-error" role="alert">
          {error}
        </p>
      )}
      {answer && (
        <div data-testid="lookup-answer">
          <p className="console-figures">{found === 0 ? t("lookupNone") : t("lookupAudited")}</p>
          {answer.registrations.length > 0 && (
            <div className="console-table-wrap">
              <table className="console-table">
                <thead>
                  <tr>
                    <th>{t("name")}</th>
                    <th>{t("site")}</th>
                    <th>{t("tube")}</th>
                    <th>{t("sampledAt")}</th>
                    <th>{t("result")}</th>
                  </tr>
                </thead>
                <tbody>
                  {answer.registrations.map((r) => (
                    <tr key={r.registrationId} data-testid="lookup-row">
                      <td>
                        {r.name}
                        {r.voided ? ` (${t("voided")})` : ""}
                      </td>
                      <td>{r.tube.siteName}</td>
                      <td className="nowrap">{r.tube.tubeCode}</td>
                      <td className="nowrap">{when(r.registeredAt)}</td>
                      <td>{outcome(r.tube)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {answer.tubes.map((tube) => (
            <div key={`${tube.siteCode}\u0000${tube.tubeCode}`} className="card">
              <h2 className="dashboard-h2">
                {t("tube")} {tube.tubeCode} · {tube.siteName} · {t(`tubeStatus_${tube.status}` as ConsoleMessageKey)} ·{" "}
                {outcome(tube)}
              </h2>
              <ResidentsTable residents={tube.residents} when={when} />
            </div>
          ))}
          {answer.boxes.map((box) => (
            <div key={`${box.siteCode}\u0000${box.boxCode}`} className="card">
              <h2 className="dashboard-h2">
                {box.boxCode} · {box.siteName} · {t(`boxStatus_${box.status}` as ConsoleMessageKey)}
              </h2>
              <p>
                {t("handedOver")}: {when(box.handedOverAt)}
                {box.courierName ? ` · ${t("courier")} ${box.courierName} ${box.courierPhone ?? ""}` : ""}
                {box.destinationLab ? ` · ${t("destination")} ${box.destinationLab}` : ""}
                {" · "}
                {t("received")}: {box.receipt ? `${box.receipt.labCode} ${when(box.receipt.receivedAt)}` : "—"}
              </p>
              <div className="console-table-wrap">
                <table className="console-table">
                  <thead>
                    <tr>
                      <th>{t("tube")}</th>
                      <th>{t("status")}</th>
                      <th>{t("result")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {box.tubes.map((tube) => (
                      <tr key={tube.tubeCode} data-testid="lookup-row">
                        <td className="nowrap">{tube.tubeCode}</td>
                        <td>{t(`tubeStatus_${tube.status}` as ConsoleMessageKey)}</td>
                        <td>{outcome(tube)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}

function ResidentsTable({ residents, when }: { residents: Tube["residents"]; when: (iso: string | null) => string }) {
  const { t, lang } = useConsoleI18n();
  return (
    <div className="console-table-wrap">
      <table className="console-table">
        <thead>
          <tr>
            <th>{t("name")}</th>
            <th>{t("document")}</th>
            <th>{t("phone")}</th>
            <th>{t("community")}</th>
            <th>{t("sampledAt")}</th>
          </tr>
        </thead>
        <tbody>
          {residents.map((r) => (
            <tr key={r.registrationId} data-testid="lookup-row">
              <td>
                {r.name}
                {r.voided ? ` (${t("voided")})` : ""}
              </td>
              <td>
                {DOC_TYPE_NAMES[lang][r.docType as DocType] ?? r.docType} <span className="nowrap">{r.docNumber}</span>
              </td>
              <td className="nowrap">{r.phone ?? ""}</td>
              <td>{r.community ?? ""}</td>
              <td className="nowrap">{when(r.registeredAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
