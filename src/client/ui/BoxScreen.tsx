import { type FormEvent, useRef, useState } from "react";
import { openBoxOfDevice } from "../../domain/projection";
import { useStationView } from "../data/hooks";
import type { Station, StationOutcome, StationProblem } from "../station/station";
import { useI18n } from "./i18n";
import { ProblemMessage } from "./ProblemMessage";
import { Sheet } from "./Sheet";
import { KeyboardToggle, useSoftKeyboard } from "./SoftKeyboard";
import { useScanFocus } from "./useScanFocus";

const COURIER_FIELD: Partial<Record<StationProblem["code"], string>> = {
  courier_name_required: "courierName",
  bad_courier_phone: "courierPhone",
  bad_lab_code: "labCode",
};

/** Packing sealed tubes into transfer boxes, closing boxes, and handing them to transport. */
export function BoxScreen({ station, deviceId }: { station: Station; deviceId: string }) {
  const { t } = useI18n();
  const view = useStationView(deviceId);
  const inputRef = useRef<HTMLInputElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useScanFocus(inputRef, formRef);
  const [softKeyboard, setSoftKeyboard] = useSoftKeyboard();
  const [problem, setProblem] = useState<StationProblem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [handover, setHandover] = useState<{
    box: string;
    name: string;
    phone: string;
    plate: string;
    lab: string;
  } | null>(null);

  const box = view ? openBoxOfDevice(view.state, deviceId) : undefined;
  const boxes = view ? [...view.state.boxes.values()] : [];
  const toHand = boxes.filter((b) => b.status === "closed");
  const handed = boxes.filter((b) => b.status === "handed_over");

  async function run(action: () => Promise<StationOutcome>) {
    const outcome = await action();
    if (!outcome.ok) {
      setProblem(outcome.problem);
      setNotice(null);
    } else {
      setProblem(null);
      if (outcome.action === "box-opened") setNotice(t("boxOpened", { box: outcome.boxCode }));
      if (outcome.action === "boxed") setNotice(t("boxed", { tube: outcome.tubeCode, n: outcome.count }));
      if (outcome.action === "box-closed") setNotice(t("boxClosed", { box: outcome.boxCode, n: outcome.tubeCount }));
      if (outcome.action === "handed-over") {
        setHandover(null);
        setNotice(t("handedOver", { box: outcome.boxCode }));
      }
    }
    // A refused handover puts the cursor on the courier field it is about; otherwise the box input waits for a scan.
    const field = !outcome.ok && COURIER_FIELD[outcome.problem.code];
    const courierInput = field ? document.querySelector<HTMLInputElement>(`[data-field="${field}"]`) : null;
    if (courierInput) courierInput.focus();
    else inputRef.current?.focus({ preventScroll: true });
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const value = inputRef.current?.value ?? "";
    if (inputRef.current) inputRef.current.value = "";
    if (value.trim()) void run(() => station.submitBoxScan(value));
  }

  return (
    <main className="screen box-screen">
      <section className="card" aria-labelledby="box-heading">
        <h2 id="box-heading">
          {box ? (
            <>
              {t("currentBox")}
              {t("colon")}
              <span data-testid="open-box">{box.code}</span>
            </>
          ) : (
            t("boxInputLabel")
          )}
        </h2>
        {box && (
          <p className="tube-count" data-testid="box-count">
            {t("boxCount", { n: box.tubeCodes.length })}
          </p>
        )}
        <form onSubmit={submit} className="scan-form" ref={formRef}>
          <label htmlFor="box-input">{box ? t("boxTubeInputLabel") : t("boxInputLabel")}</label>
          <div className="scan-row">
            <input
              id="box-input"
              data-testid="box-input"
              ref={inputRef}
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              enterKeyHint="done"
              inputMode={softKeyboard ? "text" : "none"}
              // biome-ignore lint/a11y/noAutofocus: the first gun scan after opening the tab must land here
              autoFocus
            />
            <KeyboardToggle on={softKeyboard} onChange={setSoftKeyboard} />
            <button type="submit" className="primary">
              {t("submit")}
            </button>
          </div>
        </form>
        {notice && (
          <p className="message message-ok" role="status" data-testid="box-notice">
            {notice}
          </p>
        )}
        {problem && !handover && <ProblemMessage problem={problem} />}
        {box && (
          <>
            {/* Print-free: the list staff read out to the courier. */}
            <ol className="members" data-testid="box-tubes">
              {box.tubeCodes.map((code) => (
                <li key={code}>{code}</li>
              ))}
            </ol>
            <button type="button" className="seal" onClick={() => void run(() => station.closeBox(box.code))}>
              {t("closeBox")}
            </button>
          </>
        )}
      </section>

      <section className="card" aria-labelledby="to-hand-heading">
        <h3 id="to-hand-heading">{t("boxesToHand")}</h3>
        {toHand.length === 0 && <p>{t("noBoxes")}</p>}
        <ul className="members">
          {toHand.map((b) => (
            <li key={b.code} data-testid={`box-${b.code}`}>
              <strong>{b.code}</strong> · {t("boxCount", { n: b.tubeCodes.length })}
              <span className="badge">{t(`boxStatus_${b.status}`)}</span>
              {handover?.box !== b.code && (
                <button
                  type="button"
                  className="small"
                  onClick={() => setHandover({ box: b.code, name: "", phone: "", plate: "", lab: "" })}
                >
                  {t("handover")}
                </button>
              )}
            </li>
          ))}
        </ul>
        <h3>{t("handedBoxes")}</h3>
        {handed.length === 0 && <p>{t("noBoxes")}</p>}
        <ul className="members" data-testid="handed-boxes">
          {handed.map((b) => (
            <li key={b.code}>
              <strong>{b.code}</strong> · {t("boxCount", { n: b.tubeCodes.length })} · {b.handover?.courierName}
              {b.handover?.vehiclePlate ? ` · ${b.handover.vehiclePlate}` : ""}
              <span className="badge">🔒 {t("boxStatus_handed_over")}</span>
            </li>
          ))}
        </ul>
      </section>
      {handover && (
        <Sheet title={`${t("handover")} ${handover.box}`} testId="handover-form">
          <form
            className="resident-form"
            onSubmit={(e) => {
              e.preventDefault();
              void run(() =>
                station.handOver(handover.box, {
                  name: handover.name,
                  phone: handover.phone,
                  ...(handover.plate.trim() ? { vehiclePlate: handover.plate } : {}),
                  ...(handover.lab.trim() ? { labCode: handover.lab } : {}),
                }),
              );
            }}
          >
            <label>
              {t("courierName")}
              <input
                data-field="courierName"
                value={handover.name}
                onChange={(e) => setHandover({ ...handover, name: e.target.value })}
                required
              />
            </label>
            <label>
              {t("courierPhone")}
              <input
                type="tel"
                inputMode="tel"
                data-field="courierPhone"
                value={handover.phone}
                onChange={(e) => setHandover({ ...handover, phone: e.target.value })}
                required
              />
            </label>
            <label>
              {t("vehiclePlate")}
              <input value={handover.plate} onChange={(e) => setHandover({ ...handover, plate: e.target.value })} />
            </label>
            <label>
              {t("destinationLab")}
              <input
                data-field="labCode"
                autoCapitalize="characters"
                autoComplete="off"
                value={handover.lab}
                onChange={(e) => setHandover({ ...handover, lab: e.target.value })}
              />
            </label>
            {problem && <ProblemMessage problem={problem} />}
            <div className="sheet-actions">
              <button type="submit" className="primary">
                {t("confirmHandover")}
              </button>
              <button type="button" onClick={() => setHandover(null)}>
                {t("cancel")}
              </button>
            </div>
          </form>
        </Sheet>
      )}
    </main>
  );
}
