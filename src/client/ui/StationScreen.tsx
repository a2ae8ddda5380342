import { type FormEvent, lazy, Suspense, useRef, useState } from "react";
import { type DocType, maskDocumentNumber, validateDocument } from "../../domain/documents";
import type { SiteConfig } from "../../domain/protocol";
import type { Resident } from "../../domain/residentCode";
import { useStationView } from "../data/hooks";
import { playTone, speak } from "../scan/feedback";
import type { Station, StationOutcome, StationProblem } from "../station/station";
import { DocTypeSelect } from "./DocTypeSelect";
import { useI18n } from "./i18n";
import { ProblemMessage } from "./ProblemMessage";

// The camera scanner (and its decoder) loads when first opened: many stations type or use a hand scanner.
const Scanner = lazy(() => import("./Scanner").then((m) => ({ default: m.Scanner })));

interface Props {
  station: Station;
  site: SiteConfig;
  deviceId: string;
}

type ResidentForm = { docType: DocType; docNumber: string; name: string; phone: string; fixedDocument: boolean };
const emptyForm = (): ResidentForm => ({ docType: "ID", docNumber: "", name: "", phone: "", fixedDocument: false });

export function StationScreen({ station, site, deviceId }: Props) {
  const { t, docTypeName, documentReason, lang } = useI18n();
  const [scanning, setScanning] = useState(false);
  const [spokenCues, setSpokenCues] = useState(() => localStorage.getItem("samplepoint.spokenCues") === "1");
  const view = useStationView(deviceId);
  const inputRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<StationProblem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [form, setForm] = useState<ResidentForm | null>(null);
  const [confirmShort, setConfirmShort] = useState<{ count: number; capacity: number } | null>(null);
  const [repeat, setRepeat] = useState<{ resident: Resident; reason: string } | null>(null);
  const [voiding, setVoiding] = useState<{ id: string; reason: string } | null>(null);
  const [transfer, setTransfer] = useState<{ to: string; reason: string } | null>(null);

  const openTube = view?.openTube;
  const members = view?.members ?? [];

  function show(outcome: StationOutcome) {
    if (!outcome.ok && outcome.resident && outcome.problem.code === "registered_today") {
      setRepeat({ resident: outcome.resident, reason: "" });
    }
    if (!outcome.ok) {
      if (outcome.problem.code === "short_needs_confirmation") {
        setConfirmShort({ count: outcome.problem.count, capacity: outcome.problem.capacity });
        setProblem(null);
      } else setProblem(outcome.problem);
      setNotice(null);
      return;
    }
    setProblem(null);
    switch (outcome.action) {
      case "tube-opened":
        setNotice(t("tubeOpened", { tube: outcome.tubeCode }));
        break;
      case "registered":
        setForm(null);
        setRepeat(null);
        if (outcome.full) {
          // Two rising tones: the tube is full, seal it.
          playTone("success");
          setTimeout(() => playTone("success"), 180);
        }
        if (outcome.full && spokenCues) {
          speak(t("tubeFullSpoken", { capacity: outcome.capacity }), lang === "zh" ? "zh-CN" : "en");
        }
        setNotice(
          outcome.full
            ? `${t("registered", { name: outcome.name, count: outcome.count, capacity: outcome.capacity })} — ${t("tubeFull", { capacity: outcome.capacity })}`
            : t("registered", { name: outcome.name, count: outcome.count, capacity: outcome.capacity }),
        );
        break;
      case "needs-name":
        setForm({ ...emptyForm(), docType: outcome.docType, docNumber: outcome.docNumber, fixedDocument: true });
        setNotice(t("needsName", { doc: maskDocumentNumber(outcome.docNumber) }));
        break;
      case "sealed":
        setConfirmShort(null);
        setNotice(t(outcome.short ? "sealedShort" : "sealed", { tube: outcome.tubeCode, count: outcome.count }));
        break;
      case "voided":
        setVoiding(null);
        setNotice(t("voided"));
        break;
      case "transferred":
        setTransfer(null);
        setNotice(t("transferred", { from: outcome.fromTubeCode, to: outcome.toTubeCode }));
        break;
      default:
        break;
    }
  }

  async function run(action: () => Promise<StationOutcome>): Promise<StationOutcome | undefined> {
    setBusy(true);
    try {
      const outcome = await action();
      show(outcome);
      return outcome;
    } finally {
      setBusy(false);
      inputRef.current?.focus();
    }
  }

  async function submitText(event: FormEvent) {
    event.preventDefault();
    // Read the field itself: a scanner's Enter can come before React has re-rendered with the typed text.
    const value = inputRef.current?.value ?? text;
    setText("");
    if (value.trim() === "") return;
    await run(() => station.submitScan(value));
  }

  async function submitForm(event: FormEvent) {
    event.preventDefault();
    if (!form) return;
    const { docType, docNumber, name, phone } = form;
    await run(() =>
      station.register({ docType, docNumber, name: name.trim(), ...(phone.trim() ? { phone: phone.trim() } : {}) }),
    );
  }

  const full = openTube !== undefined && members.length >= openTube.capacity;
  // Live validation while staff type a document number: the specific reason, before they submit.
  const docCheck = form && form.docNumber.trim() !== "" ? validateDocument(form.docType, form.docNumber) : null;

  return (
    <main className="screen station-screen">
      <section className="card tube-card" aria-labelledby="tube-heading">
        {openTube ? (
          <>
            <h2 id="tube-heading">
              {t("currentTube")}: <span data-testid="open-tube">{openTube.code}</span>
            </h2>
            <p className={`tube-count${full ? " tube-full" : ""}`} data-testid="tube-count" aria-live="polite">
              {members.length} / {openTube.capacity}
            </p>
          </>
        ) : (
          <h2 id="tube-heading">{t("tubeInputHint")}</h2>
        )}

        <form onSubmit={submitText} className="scan-form">
          <label htmlFor="scan-input">{openTube ? t("residentInputLabel") : t("tubeInputLabel")}</label>
          <div className="row">
            <input
              id="scan-input"
              data-testid="scan-input"
              ref={inputRef}
              value={text}
              onChange={(e) => setText(e.target.value)}
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              enterKeyHint="done"
              // biome-ignore lint/a11y/noAutofocus: staff work one-handed with scanners that type into the focused field
              autoFocus
            />
            {/* Never disabled: a disabled default button would swallow a scanner's Enter. */}
            <button type="submit" className="primary">
              {openTube ? t("submit") : t("openTube")}
            </button>
          </div>
        </form>

        <div className="row scanner-toggle">
          <button type="button" className="primary" data-testid="open-scanner" onClick={() => setScanning(!scanning)}>
            {scanning ? t("closeScanner") : t("openScanner")}
          </button>
          <label className="inline">
            <input
              type="checkbox"
              checked={spokenCues}
              onChange={(e) => {
                setSpokenCues(e.target.checked);
                localStorage.setItem("samplepoint.spokenCues", e.target.checked ? "1" : "0");
              }}
            />
            {t("spokenCues")}
          </label>
        </div>
        {scanning && (
          <Suspense fallback={null}>
            <Scanner
              onCode={async (code) => (await run(() => station.submitScan(code))) ?? { ok: true, action: "ignored" }}
              onClose={() => setScanning(false)}
            />
          </Suspense>
        )}

        {notice && (
          <p className="message message-ok" role="status" data-testid="notice">
            {notice}
          </p>
        )}
        {problem && <ProblemMessage problem={problem} />}

        {openTube && (
          <div className="row actions">
            <button type="button" onClick={() => setForm(form ? null : emptyForm())}>
              {t("manualEntry")}
            </button>
            <button
              type="button"
              className="seal"
              data-testid="seal"
              onClick={() => void run(() => station.seal(false))}
            >
              {t("seal")}
            </button>
            <button type="button" onClick={() => setTransfer(transfer ? null : { to: "", reason: "" })}>
              {t("transfer")}
            </button>
          </div>
        )}

        {full && !confirmShort && (
          <div className="message message-warn seal-prompt" role="alert" data-testid="seal-prompt">
            <strong>■ {t("sealNow")}</strong>
            <button type="button" className="seal" onClick={() => void run(() => station.seal(false))}>
              {t("seal")}
            </button>
          </div>
        )}

        {repeat && (
          <form
            className="message message-warn"
            data-testid="repeat-form"
            onSubmit={(e) => {
              e.preventDefault();
              void run(() => station.register(repeat.resident, repeat.reason));
            }}
          >
            <label>
              {t("repeatReason")}
              <input
                value={repeat.reason}
                onChange={(e) => setRepeat({ ...repeat, reason: e.target.value })}
                required
              />
            </label>
            <div className="row">
              <button type="submit" className="primary">
                {t("proceedRepeat")}
              </button>
              <button type="button" onClick={() => setRepeat(null)}>
                {t("cancel")}
              </button>
            </div>
          </form>
        )}

        {openTube && transfer && (
          <form
            className="message message-warn"
            data-testid="transfer-form"
            onSubmit={(e) => {
              e.preventDefault();
              void run(() => station.transfer(openTube.code, transfer.to, transfer.reason));
            }}
          >
            <label>
              {t("transferTo")}
              <input
                name="transferTo"
                value={transfer.to}
                autoCapitalize="characters"
                onChange={(e) => setTransfer({ ...transfer, to: e.target.value })}
                required
              />
            </label>
            <label>
              {t("transferReason")}
              <input
                value={transfer.reason}
                onChange={(e) => setTransfer({ ...transfer, reason: e.target.value })}
                required
              />
            </label>
            <div className="row">
              <button type="submit" className="primary">
                {t("confirmTransfer")}
              </button>
              <button type="button" onClick={() => setTransfer(null)}>
                {t("cancel")}
              </button>
            </div>
          </form>
        )}

        {confirmShort && (
          <div className="message message-warn" role="alertdialog" aria-labelledby="short-text">
            <p id="short-text">{t("sealShortConfirm", confirmShort)}</p>
            <div className="row">
              <button type="button" className="seal" onClick={() => void run(() => station.seal(true))}>
                {t("confirmSealShort")}
              </button>
              <button type="button" onClick={() => setConfirmShort(null)}>
                {t("cancel")}
              </button>
            </div>
          </div>
        )}

        {form && openTube && (
          <form onSubmit={submitForm} className="resident-form" data-testid="resident-form">
            <DocTypeSelect
              value={form.docType}
              disabled={form.fixedDocument}
              onChange={(docType) => setForm({ ...form, docType })}
            />
            <label>
              {t("docNumber")}
              <input
                name="docNumber"
                value={form.docNumber}
                readOnly={form.fixedDocument}
                onChange={(e) => setForm({ ...form, docNumber: e.target.value })}
                aria-invalid={docCheck ? !docCheck.ok : undefined}
                aria-describedby="doc-hint"
                required
              />
              <small id="doc-hint" data-testid="doc-hint" className={docCheck && !docCheck.ok ? "hint-error" : "hint"}>
                {docCheck
                  ? docCheck.ok
                    ? "✓"
                    : `✗ ${documentReason(docCheck.error.docType, docCheck.error.reason)}`
                  : ""}
              </small>
            </label>
            <label>
              {t("name")}
              <input
                name="name"
                value={form.name}
                onChange={(e) => setForm({ ...form, name: e.target.value })}
                required
              />
            </label>
            <label>
              {site.phoneRequired ? t("phoneRequired") : t("phone")}
              <input
                name="phone"
                type="tel"
                inputMode="tel"
                value={form.phone}
                onChange={(e) => setForm({ ...form, phone: e.target.value })}
                required={site.phoneRequired}
              />
            </label>
            <div className="row">
              <button type="submit" className="primary" disabled={busy}>
                {t("register")}
              </button>
              <button type="button" onClick={() => setForm(null)}>
                {t("cancel")}
              </button>
            </div>
          </form>
        )}
      </section>

      {openTube && (
        <section className="card" aria-labelledby="members-heading">
          <h3 id="members-heading">{t("members")}</h3>
          {members.length === 0 ? (
            <p>{t("noMembers")}</p>
          ) : (
            <ol className="members" data-testid="members">
              {members.map((m) => (
                <li key={m.id}>
                  <span className="member-name">{m.resident.name}</span>
                  <span className="member-doc">
                    {docTypeName(m.resident.docType)} {maskDocumentNumber(m.resident.docNumber)}
                  </span>
                  {voiding?.id === m.id ? (
                    <form
                      className="row void-form"
                      onSubmit={(e) => {
                        e.preventDefault();
                        void run(() => station.voidRegistration(m.id, voiding.reason));
                      }}
                    >
                      <input
                        aria-label={t("voidReason")}
                        placeholder={t("voidReason")}
                        value={voiding.reason}
                        onChange={(e) => setVoiding({ id: m.id, reason: e.target.value })}
                        required
                      />
                      <button type="submit" className="danger">
                        {t("confirmVoid")}
                      </button>
                      <button type="button" onClick={() => setVoiding(null)}>
                        {t("cancel")}
                      </button>
                    </form>
                  ) : (
                    <button type="button" className="small" onClick={() => setVoiding({ id: m.id, reason: "" })}>
                      {t("void")}
                    </button>
                  )}
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </main>
  );
}
