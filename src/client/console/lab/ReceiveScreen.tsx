/**
 * Receiving a transfer box: scan the box (scanner gun or typed), see its tubes as the server holds them, scan each
 * tube (or confirm the count), receive. Missing, extra, voided and not-yet-uploaded tubes are flagged, with the phone
 * and its last sync for the latter. A box received before answers with its first receipt.
 */
import { type FormEvent, useEffect, useRef, useState } from "react";
import type { BoxForLab, ReceiptReport } from "../../../domain/labs";
import { useExplain } from "../ConsoleApp";
import { consoleApi } from "../consoleApi";
import { useConsoleI18n } from "../consoleI18n";
import { useLab } from "./useLab";

const code = (form: FormEvent<HTMLFormElement>, name: string) =>
  String(new FormData(form.currentTarget).get(name) ?? "")
    .trim()
    .toUpperCase();

export function ReceiveScreen() {
  const { t, lang } = useConsoleI18n();
  const when = (iso: string) => new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false });
  const [found, setFound] = useState<string | null>(null);
  const explain = useExplain();
  const { token, lab } = useLab();
  const [box, setBox] = useState<BoxForLab | null>(null);
  const [scanned, setScanned] = useState<string[]>([]);
  const [report, setReport] = useState<ReceiptReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tubeInput = useRef<HTMLInputElement>(null);
  const boxInput = useRef<HTMLInputElement>(null);
  // The gun's next scan goes where the bench is: a box's tubes once it is shown, the next box once it is received.
  useEffect(() => {
    if (box && !box.receipt) tubeInput.current?.focus();
    else boxInput.current?.focus();
  }, [box]);

  const lookUp = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const boxCode = code(event, "box");
    event.currentTarget.reset();
    setError(null);
    setReport(null);
    setScanned([]);
    try {
      setBox(await consoleApi.box(token, lab, boxCode));
    } catch (e) {
      setBox(null);
      setError(explain(e));
    }
  };

  const scanTube = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const tube = code(event, "tube");
    event.currentTarget.reset();
    if (tube && !scanned.includes(tube)) setScanned([...scanned, tube]);
  };

  const receive = async (all: boolean) => {
    if (!box) return;
    const unscanned = all ? [] : box.tubes.filter((tube) => tube.status !== "void" && !scanned.includes(tube.tubeCode));
    if (unscanned.length > 0 && !window.confirm(t("confirmMissing", { n: unscanned.length }))) return;
    setError(null);
    try {
      setReport(
        await consoleApi.receive(token, lab, box.boxCode, {
          siteCode: box.siteCode,
          ...(all ? {} : { scannedTubes: scanned }),
        }),
      );
      setBox(await consoleApi.box(token, lab, box.boxCode, box.siteCode));
    } catch (e) {
      setError(explain(e));
    }
  };

  // A tube missing at receipt that turns up later: received on its own.
  const receiveFound = async (tubeCode: string) => {
    if (!box) return;
    setError(null);
    setFound(null);
    if (!missingLater.has(tubeCode)) return setError(t("notMissing", { tube: tubeCode }));
    try {
      await consoleApi.receiveTube(token, lab, tubeCode, box.siteCode);
      setFound(t("foundReceived", { tube: tubeCode }));
      setBox(await consoleApi.box(token, lab, box.boxCode, box.siteCode));
    } catch (e) {
      setError(explain(e));
    }
  };
  const missingLater = new Set(
    box?.receipt
      ? box.tubes.filter((tube) => !tube.received && tube.status !== "void").map((tube) => tube.tubeCode)
      : [],
  );
  const inBox = new Set(box?.tubes.map((tube) => tube.tubeCode));
  const strangers = scanned.filter((tube) => !inBox.has(tube));
  return (
    <section aria-labelledby="receive-title">
      <h1 id="receive-title">{t("navReceive")}</h1>
      <form className="console-scan" onSubmit={(e) => void lookUp(e)}>
        <label>
          {t("scanBox")}
          {/* biome-ignore lint/a11y/noAutofocus: the bench's scanner gun types into it */}
          <input name="box" ref={boxInput} autoFocus autoComplete="off" data-testid="box-input" />
        </label>
        <button type="submit">{t("lookUp")}</button>
      </form>
      {error && (
        <p className="message message-error" role="alert" data-testid="console-error">
          {error}
        </p>
      )}
      {box && (
        <div className="card" data-testid="box-card">
          <p>
            <strong>{box.boxCode}</strong> · {t("site")} {box.siteName} · {t("handedOver")}{" "}
            {box.handedOverAt ? when(box.handedOverAt) : "—"}
            {box.destinationLab ? ` · ${t("destination")} ${box.destinationLab}` : ""}
          </p>
          {box.receipt && missingLater.size > 0 && (
            <form
              className="console-scan"
              onSubmit={(event) => {
                event.preventDefault();
                const tube = code(event, "found");
                event.currentTarget.reset();
                if (tube) void receiveFound(tube);
              }}
            >
              <label>
                {t("scanFound")}
                <input name="found" autoComplete="off" data-testid="found-input" />
              </label>
            </form>
          )}
          {found && (
            <p className="message message-ok" role="status">
              {found}
            </p>
          )}
          {!box.receipt && (
            <form className="console-scan" onSubmit={scanTube}>
              <label>
                {t("scanTube")}
                <input name="tube" ref={tubeInput} autoComplete="off" data-testid="tube-input" />
              </label>
            </form>
          )}
          <table className="console-table">
            <thead>
              <tr>
                <th>{t("tube")}</th>
                <th>{t("people")}</th>
                <th>{t("scanned")}</th>
                <th>{t("status")}</th>
              </tr>
            </thead>
            <tbody>
              {box.tubes.map((tube) => (
                <tr key={tube.tubeCode} data-testid={`box-tube-${tube.tubeCode}`}>
                  <td>{tube.tubeCode}</td>
                  <td>
                    {tube.registrations}
                    {tube.sealedCount !== null ? ` / ${tube.sealedCount}` : ""}
                  </td>
                  <td>{scanned.includes(tube.tubeCode) ? "✓" : ""}</td>
                  <td>
                    {tube.received ? (
                      t("received")
                    ) : missingLater.has(tube.tubeCode) ? (
                      <>
                        <span className="console-flag">{t("missing")}</span>{" "}
                        <button type="button" onClick={() => void receiveFound(tube.tubeCode)}>
                          {t("receiveFound")}
                        </button>
                      </>
                    ) : tube.status === "void" ? (
                      t("voided")
                    ) : tube.sealedCount !== null && tube.registrations < tube.sealedCount ? (
                      `${t("unsynced")} (${t("unsyncedDevice", {
                        device: tube.device?.id ?? "?",
                        at: tube.device ? when(tube.device.lastSeenAt) : "?",
                      })})`
                    ) : (
                      ""
                    )}
                  </td>
                </tr>
              ))}
              {strangers.map((tube) => (
                <tr key={tube} className="console-flag">
                  <td>{tube}</td>
                  <td />
                  <td>✓</td>
                  <td>{t("extra")}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!box.receipt && (
            <div className="console-actions">
              <button
                type="button"
                className="primary"
                onClick={() => void receive(false)}
                disabled={scanned.length === 0}
              >
                {t("receiveScanned")} ({scanned.length})
              </button>
              <button type="button" onClick={() => void receive(true)}>
                {t("confirmCount")} ({box.tubes.length})
              </button>
            </div>
          )}
        </div>
      )}
      {report && <ReceiptSummary report={report} />}
    </section>
  );
}

function ReceiptSummary({ report }: { report: ReceiptReport }) {
  const { t, lang } = useConsoleI18n();
  return (
    <div className="card" role="status" data-testid="receipt-report">
      <p className={report.missing.length + report.extra.length + report.unsynced.length > 0 ? "console-flag" : ""}>
        <strong>
          {report.alreadyReceived ? t("receivedAlready") : t("receiptDone", { n: report.received.length })}
        </strong>
      </p>
      {report.missing.length > 0 && (
        <p data-testid="receipt-missing">
          {t("missing")}: {report.missing.join(", ")}
        </p>
      )}
      {report.extra.length > 0 && (
        <p data-testid="receipt-extra">
          {t("extra")}:{" "}
          {report.extra
            .map((x) => `${x.tubeCode} (${t(x.flag === "extra_other_box" ? "extraOtherBox" : "extraUnknown")})`)
            .join(", ")}
        </p>
      )}
      {report.voided.length > 0 && (
        <p>
          {t("voided")}: {report.voided.join(", ")}
        </p>
      )}
      {report.unsynced.length > 0 && (
        <ul data-testid="receipt-unsynced">
          {report.unsynced.map((u) => (
            <li key={u.tubeCode}>
              {u.tubeCode}: {t("unsynced")} {u.registrations}/{u.sealedCount ?? "?"} —{" "}
              {t("unsyncedDevice", {
                device: u.deviceId ?? "?",
                at: u.lastSeenAt
                  ? new Date(u.lastSeenAt).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false })
                  : "?",
              })}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
