import {
  type FormEvent,
  lazy,
  memo,
  type ReactNode,
  Suspense,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { type DocType, maskDocumentNumber, validateDocument } from "../../domain/documents";
import { normalizeDocNumber } from "../../domain/normalizeInput";
import type { SiteConfig } from "../../domain/protocol";
import type { ReasonAction, ReasonChoice } from "../../domain/reasons";
import type { Resident } from "../../domain/residentCode";
import { createScanClassifier } from "../../domain/scanCodes";
import { useStationView } from "../data/hooks";
import { playTone } from "../scan/feedback";
import { registrationCue, say } from "../scan/voice";
import type { Station, StationOutcome, StationProblem } from "../station/station";
import { afterNextPaint } from "./afterNextPaint";
import { DocTypeSelect } from "./DocTypeSelect";
import { useI18n } from "./i18n";
import { ProblemMessage } from "./ProblemMessage";
import { noReason, ReasonChips, reasonChosen } from "./ReasonChips";
import { Sheet } from "./Sheet";
import { KeyboardToggle, useSoftKeyboard } from "./SoftKeyboard";
import { useScanFocus } from "./useScanFocus";

// The camera scanner (and its decoder) loads when first opened: many stations type or use a hand scanner.
const Scanner = lazy(() => import("./Scanner").then((m) => ({ default: m.Scanner })));

interface Props {
  station: Station;
  site: SiteConfig;
  deviceId: string;
}

type ResidentForm = { docType: DocType; docNumber: string; name: string; phone: string; fixedDocument: boolean };
const emptyForm = (): ResidentForm => ({ docType: "ID", docNumber: "", name: "", phone: "", fixedDocument: false });
type FormField = "docNumber" | "name" | "phone";

/** At most one sheet at a time: each is a question about the current tube. */
type SheetState =
  | { kind: "resident"; form: ResidentForm; error: { field: FormField; problem: StationProblem } | null }
  | { kind: "short" }
  | { kind: "transfer"; to: string; reason: ReasonChoice }
  | { kind: "void"; id: string; name: string; reason: ReasonChoice }
  | { kind: "abandon"; reason: ReasonChoice }
  | { kind: "repeat"; resident: Resident; reason: ReasonChoice };

/** Which field of the resident form a refusal is about, so the focus goes there. */
function fieldOf(problem: StationProblem): FormField | null {
  if (problem.code === "phone_required") return "phone";
  if (problem.code !== "invalid_resident") return null;
  const code = problem.error.code;
  if (code === "bad_phone") return "phone";
  if (code === "bad_name" || code === "name_too_long") return "name";
  if (code === "bad_document" || code === "unknown_doc_type") return "docNumber";
  return null;
}

export function StationScreen({ station, site, deviceId }: Props) {
  const { t, docTypeName, documentReason, lang } = useI18n();
  const [scanning, setScanning] = useState(false);
  const view = useStationView(deviceId);
  const inputRef = useRef<HTMLInputElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<StationProblem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [sheet, setSheet] = useState<SheetState | null>(null);
  // The last registration can be undone with one tap for a few seconds.
  const [undo, setUndo] = useState<{ registrationId: string; until: number } | null>(null);
  useEffect(() => {
    if (!undo) return;
    const timer = setTimeout(() => setUndo(null), Math.max(0, undo.until - Date.now()));
    return () => clearTimeout(timer);
  }, [undo]);
  const [softKeyboard, setSoftKeyboard] = useSoftKeyboard();

  useScanFocus(inputRef, formRef);
  const classifier = useMemo(() => createScanClassifier(site), [site]);

  const openTube = view?.openTube;
  const members = view?.members ?? [];
  const full = openTube !== undefined && members.length >= openTube.capacity;

  // The seal-early question is about the tube as it is now: once the tube fills, the full-tube prompt replaces it.
  useEffect(() => {
    if (sheet?.kind === "short" && (full || !openTube)) setSheet(null);
  }, [sheet, full, openTube]);

  function show(outcome: StationOutcome) {
    if (outcome.ok && outcome.action !== "ignored") setUndo(null);
    if (!outcome.ok) {
      if (outcome.problem.code === "short_needs_confirmation") {
        setSheet({ kind: "short" });
        setProblem(null);
      } else {
        setProblem(outcome.problem);
        if (outcome.resident && outcome.problem.code === "registered_today")
          setSheet({ kind: "repeat", resident: outcome.resident, reason: noReason() });
      }
      setNotice(null);
      return;
    }
    setProblem(null);
    switch (outcome.action) {
      case "tube-opened":
        setNotice(t("tubeOpened", { tube: outcome.tubeCode }));
        break;
      case "registered": {
        if (outcome.full) {
          // Two rising tones: the tube is full, seal it.
          playTone("success");
          setTimeout(() => playTone("success"), 180);
        }
        say(registrationCue(outcome.name, outcome.count, outcome.capacity, outcome.full));
        setUndo({ registrationId: outcome.registrationId, until: outcome.undoUntil });
        const registered = t("registered", { name: outcome.name, count: outcome.count, capacity: outcome.capacity });
        // The roster's word, quietly: on it (and where), or accepted though not on it.
        // A code whose name is not the roster's for that number (a mixed-up or someone else's code): said, to check.
        const text = !outcome.roster
          ? registered
          : outcome.roster === "absent"
            ? `${registered} · ${t("rosterAbsent")}`
            : outcome.roster.name !== outcome.name
              ? `${registered} · ${t("rosterNameDiffers", { name: outcome.roster.name })}`
              : `${registered} · ${t("rosterOn", { grid: outcome.roster.grid })}`;
        setNotice(outcome.full ? `${text} — ${t("tubeFull", { capacity: outcome.capacity })}` : text);
        break;
      }
      case "needs-name":
        setSheet({
          kind: "resident",
          form: { ...emptyForm(), docType: outcome.docType, docNumber: outcome.docNumber, fixedDocument: true },
          error: null,
        });
        setNotice(t("needsName", { doc: maskDocumentNumber(outcome.docNumber) }));
        break;
      case "sealed":
        setNotice(t(outcome.short ? "sealedShort" : "sealed", { tube: outcome.tubeCode, count: outcome.count }));
        break;
      case "voided":
        setNotice(t("voided"));
        break;
      case "undone":
        setNotice(t("undone", { name: outcome.name }));
        break;
      case "sealed-and-opened":
        setNotice(
          t("sealedAndOpened", { sealed: outcome.sealedTubeCode, count: outcome.count, tube: outcome.tubeCode }),
        );
        break;
      case "transferred":
        setNotice(t("transferred", { from: outcome.fromTubeCode, to: outcome.toTubeCode }));
        break;
      case "abandoned":
        setNotice(t("abandoned", { tube: outcome.tubeCode }));
        break;
      default:
        break;
    }
  }

  /**
   * Runs one input and shows its outcome. A sheet's own action closes the sheet when it succeeds; a scan leaves an
   * open sheet alone (a QR code scanned while a form is half typed must not throw the form away).
   */
  async function run(
    action: () => Promise<StationOutcome>,
    from: "scan" | "sheet" = "scan",
  ): Promise<StationOutcome | undefined> {
    // Only a sheet's button is disabled meanwhile (no double submit); a scan renders nothing before its outcome, as
    // every render on a slow phone delays the new row.
    if (from === "sheet") setBusy(true);
    try {
      const outcome = await action();
      if (outcome.ok && from === "sheet") setSheet(null);
      // A success changed the list and counters (rendered already): they paint first, its notice a frame later.
      if (outcome.ok) afterNextPaint(() => show(outcome));
      else show(outcome);
      return outcome;
    } finally {
      if (from === "sheet") setBusy(false);
      // Ready for the next code; a sheet that opened focuses its own first field when it renders.
      inputRef.current?.focus({ preventScroll: true });
    }
  }

  async function submitText(event: FormEvent) {
    event.preventDefault();
    const input = inputRef.current;
    const value = input?.value ?? "";
    if (input) input.value = "";
    if (value.trim() === "") return;
    // With the transfer sheet open, a scanned tube label is the new tube (the gun's codes all arrive here).
    if (sheet?.kind === "transfer") {
      const scanned = classifier.classify(value);
      if (scanned.kind === "tube") {
        setSheet({ ...sheet, to: scanned.code });
        return;
      }
    }
    await run(() => station.submitScan(value));
  }

  async function submitResident(event: FormEvent) {
    event.preventDefault();
    if (sheet?.kind !== "resident") return;
    const { docType, docNumber, name, phone } = sheet.form;
    const outcome = await run(
      () =>
        station.register({ docType, docNumber, name: name.trim(), ...(phone.trim() ? { phone: phone.trim() } : {}) }),
      "sheet",
    );
    const field = outcome && !outcome.ok ? fieldOf(outcome.problem) : null;
    if (outcome && !outcome.ok && field) {
      // The refusal belongs to a field of the form: say it there and put the cursor on it.
      setProblem(null);
      setSheet({ kind: "resident", form: sheet.form, error: { field, problem: outcome.problem } });
      requestAnimationFrame(() => document.querySelector<HTMLInputElement>(`[data-field="${field}"]`)?.focus());
    }
  }

  function editForm(patch: Partial<ResidentForm>) {
    if (sheet?.kind !== "resident") return;
    // A changed field makes the last refusal stale.
    setSheet({ kind: "resident", form: { ...sheet.form, ...patch }, error: null });
  }

  const closeSheet = () => setSheet(null);
  /** A sheet staff open themselves: earlier messages are stale then; what happens while it is open shows in it. */
  const openSheet = useCallback((next: SheetState) => {
    setSheet(next);
    setNotice(null);
    setProblem(null);
  }, []);
  // While a sheet covers the message line, the latest scan's outcome shows in the sheet too.
  const sheetStatus = problem ? (
    <ProblemMessage problem={problem} testId="sheet-problem" />
  ) : notice ? (
    <p className="message message-ok" role="status">
      {notice}
    </p>
  ) : null;
  const openVoid = useCallback(
    (id: string, name: string) => openSheet({ kind: "void", id, name, reason: noReason() }),
    [openSheet],
  );
  const form = sheet?.kind === "resident" ? sheet.form : null;
  // Live validation while staff type a document number: the specific reason, before they submit.
  const docCheck =
    form && form.docNumber.trim() !== "" ? validateDocument(form.docType, normalizeDocNumber(form.docNumber)) : null;
  const formError = sheet?.kind === "resident" ? sheet.error : null;

  return (
    <main className={`screen station-screen${openTube ? " with-actions" : ""}`}>
      <section className="card tube-card" aria-labelledby="tube-heading">
        <div className="tube-line">
          {openTube ? (
            <>
              <h2 id="tube-heading" className="tube-heading">
                <span className="tube-label">{t("tubeLabel")}</span>
                <span className="tube-code" data-testid="open-tube">
                  {openTube.code}
                </span>
              </h2>
              <p className={`tube-count${full ? " tube-full" : ""}`} data-testid="tube-count" aria-live="polite">
                {members.length} / {openTube.capacity}
              </p>
            </>
          ) : (
            <h2 id="tube-heading" className="tube-heading">
              {t("tubeInputHint")}
            </h2>
          )}
        </div>

        <form onSubmit={submitText} className="scan-form" ref={formRef}>
          <label htmlFor="scan-input" className="scan-label">
            {openTube ? t("residentInputLabel") : t("tubeInputLabel")}
          </label>
          <div className="scan-row">
            <input
              id="scan-input"
              data-testid="scan-input"
              ref={inputRef}
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              enterKeyHint="done"
              inputMode={softKeyboard ? "text" : "none"}
              // biome-ignore lint/a11y/noAutofocus: staff work one-handed with scanners that type into the focused field
              autoFocus
            />
            <KeyboardToggle on={softKeyboard} onChange={setSoftKeyboard} />
            <button type="button" data-testid="open-scanner" onClick={() => setScanning(!scanning)}>
              {scanning ? t("closeScanner") : t("openScanner")}
            </button>
            {/* Never disabled: a disabled default button would swallow a scanner's Enter. */}
            <button type="submit" className="primary">
              {openTube ? t("submit") : t("openTube")}
            </button>
          </div>
        </form>

        {scanning && (
          <Suspense fallback={null}>
            <Scanner
              onCode={async (code) => (await run(() => station.submitScan(code))) ?? { ok: true, action: "ignored" }}
              onClose={() => setScanning(false)}
            />
          </Suspense>
        )}

        {notice && (
          <div className="message message-ok notice" role="status">
            <span data-testid="notice">{notice}</span>
            {undo && (
              <button
                type="button"
                className="undo"
                data-testid="undo"
                onClick={() => void run(() => station.undoRegistration(undo.registrationId))}
              >
                {t("undo")}
              </button>
            )}
          </div>
        )}
        {problem && <ProblemMessage problem={problem} />}

        {full && sheet?.kind !== "short" && (
          <div className="message message-warn seal-prompt" role="alert" data-testid="seal-prompt">
            <strong>■ {t("sealNow")}</strong>
            <small>{t("fullNextTubeHint")}</small>
            <button type="button" className="seal" onClick={() => void run(() => station.seal(false))}>
              {t("seal")}
            </button>
          </div>
        )}
      </section>

      {openTube && (
        <section className="card members-card" aria-labelledby="members-heading">
          <h3 id="members-heading" className="members-heading">
            {t("members")}
            {!full && members.length > 0 && <small>{t("scanToSealHint")}</small>}
          </h3>
          {members.length === 0 ? (
            <p className="members-empty">{t("noMembers")}</p>
          ) : (
            <MemberList members={members} onVoid={openVoid} />
          )}
        </section>
      )}

      {openTube && !sheet && (
        <div className="action-bar" data-testid="action-bar">
          <button type="button" onClick={() => openSheet({ kind: "resident", form: emptyForm(), error: null })}>
            {t("manualEntry")}
          </button>
          <button type="button" onClick={() => openSheet({ kind: "transfer", to: "", reason: noReason() })}>
            {t("transferShort")}
          </button>
          {members.length === 0 ? (
            // An empty tube cannot be sealed; one opened by mistake is abandoned instead.
            <button
              type="button"
              data-testid="abandon"
              onClick={() => openSheet({ kind: "abandon", reason: noReason() })}
            >
              {t("abandonTube")}
            </button>
          ) : (
            <button
              type="button"
              className="seal"
              data-testid="seal"
              onClick={() => void run(() => station.seal(false))}
            >
              {t("seal")}
            </button>
          )}
        </div>
      )}

      {sheet?.kind === "short" && openTube && (
        <Sheet title={t("sealShortTitle")} role="alertdialog" testId="short-sheet">
          <p id="short-text">{t("sealShortConfirm", { count: members.length, capacity: openTube.capacity })}</p>
          <div className="sheet-actions">
            <button
              type="button"
              className="seal"
              onClick={() => void run(() => station.seal(true, members.length), "sheet")}
            >
              {t("confirmSealShort")}
            </button>
            <button type="button" onClick={closeSheet}>
              {t("cancel")}
            </button>
          </div>
        </Sheet>
      )}

      {sheet?.kind === "repeat" && (
        <ReasonSheet
          title={t("repeatTitle", { name: sheet.resident.name })}
          status={sheetStatus}
          testId="repeat-form"
          action="repeat"
          legend={t("reasonPick")}
          value={sheet.reason}
          onChange={(reason) => setSheet({ ...sheet, reason })}
          submitLabel={t("proceedRepeat")}
          onSubmit={() => void run(() => station.register(sheet.resident, sheet.reason), "sheet")}
          onCancel={closeSheet}
        />
      )}

      {sheet?.kind === "void" && (
        <ReasonSheet
          title={t("voidTitle", { name: sheet.name })}
          status={sheetStatus}
          testId="void-form"
          action="void"
          legend={t("voidReason")}
          value={sheet.reason}
          onChange={(reason) => setSheet({ ...sheet, reason })}
          submitLabel={t("confirmVoid")}
          submitClass="danger"
          onSubmit={() => void run(() => station.voidRegistration(sheet.id, sheet.reason), "sheet")}
          onCancel={closeSheet}
        />
      )}

      {sheet?.kind === "abandon" && openTube && (
        <ReasonSheet
          title={t("abandonTitle", { tube: openTube.code })}
          status={sheetStatus}
          testId="abandon-form"
          action="abandon"
          legend={t("abandonReason")}
          value={sheet.reason}
          onChange={(reason) => setSheet({ ...sheet, reason })}
          submitLabel={t("confirmAbandon")}
          submitClass="danger"
          onSubmit={() => void run(() => station.abandonTube(openTube.code, sheet.reason), "sheet")}
          onCancel={closeSheet}
        />
      )}

      {sheet?.kind === "transfer" && openTube && (
        <ReasonSheet
          title={t("transferShort")}
          status={sheetStatus}
          testId="transfer-form"
          action="transfer"
          legend={t("transferReason")}
          value={sheet.reason}
          onChange={(reason) => setSheet({ ...sheet, reason })}
          submitLabel={t("confirmTransfer")}
          onSubmit={() => void run(() => station.transfer(openTube.code, sheet.to, sheet.reason), "sheet")}
          onCancel={closeSheet}
        >
          <label>
            {t("transferTo")}
            <input
              name="transferTo"
              value={sheet.to}
              autoCapitalize="characters"
              autoComplete="off"
              onChange={(e) => setSheet({ ...sheet, to: e.target.value })}
              required
            />
          </label>
        </ReasonSheet>
      )}

      {form && openTube && (
        <Sheet
          title={form.fixedDocument ? t("needsNameTitle") : t("manualEntry")}
          status={sheetStatus}
          testId="resident-form"
        >
          <form onSubmit={submitResident} className="resident-form">
            <label>
              {t("docNumber")}
              <input
                name="docNumber"
                data-field="docNumber"
                value={form.docNumber}
                readOnly={form.fixedDocument}
                autoComplete="off"
                onChange={(e) => editForm({ docNumber: e.target.value })}
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
            {/* The number first (the usual ID card); the type only when it is another document. */}
            {!form.fixedDocument && (
              <DocTypeSelect value={form.docType} onChange={(docType) => editForm({ docType })} />
            )}
            <label>
              {t("name")}
              <input
                name="name"
                data-field="name"
                value={form.name}
                autoComplete="off"
                onChange={(e) => editForm({ name: e.target.value })}
                aria-invalid={formError?.field === "name" || undefined}
                required
              />
            </label>
            <label>
              {site.phoneRequired ? t("phoneRequired") : t("phone")}
              <input
                name="phone"
                data-field="phone"
                type="tel"
                inputMode="tel"
                autoComplete="off"
                value={form.phone}
                onChange={(e) => editForm({ phone: e.target.value })}
                aria-invalid={formError?.field === "phone" || undefined}
                required={site.phoneRequired}
              />
            </label>
            {formError && <ProblemMessage problem={formError.problem} />}
            <div className="sheet-actions">
              <button type="submit" className="primary" disabled={busy}>
                {t("register")}
              </button>
              <button type="button" onClick={closeSheet}>
                {t("cancel")}
              </button>
            </div>
          </form>
        </Sheet>
      )}
    </main>
  );
}

type Member = NonNullable<ReturnType<typeof useStationView>>["members"][number];

/**
 * The tube's people, newest first, numbered by place in the tube: the person just scanned is always on top. Memoised:
 * typing in a sheet re-renders the screen on every key, and a slow phone must not redraw the list each time.
 */
const MemberList = memo(function MemberList({
  members,
  onVoid,
}: {
  members: Member[];
  onVoid(id: string, name: string): void;
}) {
  return (
    <ol className="members" data-testid="members" reversed>
      {members
        .map((m, index) => ({ m, position: index + 1 }))
        .reverse()
        .map(({ m, position }) => (
          <MemberRow key={m.id} member={m} position={position} onVoid={onVoid} />
        ))}
    </ol>
  );
});

/** One person of the tube; memoised, so a scan renders only the new row (registrations do not change in place). */
const MemberRow = memo(function MemberRow({
  member: m,
  position,
  onVoid,
}: {
  member: Member;
  position: number;
  onVoid(id: string, name: string): void;
}) {
  const { t, docTypeName } = useI18n();
  return (
    <li value={position} data-testid="member">
      <span className="member-pos" aria-hidden="true">
        {position}
      </span>
      <span className="member-who">
        <span className="member-name">{m.resident.name}</span>
        <span className="member-doc">
          {m.resident.docType === "ID" ? "" : `${docTypeName(m.resident.docType)} `}
          {maskDocumentNumber(m.resident.docNumber)}
        </span>
      </span>
      <button type="button" className="small" onClick={() => onVoid(m.id, m.resident.name)}>
        {t("void")}
      </button>
    </li>
  );
});

/** A sheet whose answer is a reason (chips or "other"): void, transfer, re-sampling. Submits only once one is chosen. */
function ReasonSheet(props: {
  title: string;
  status: ReactNode;
  testId: string;
  action: ReasonAction;
  legend: string;
  value: ReasonChoice;
  onChange(next: ReasonChoice): void;
  submitLabel: string;
  submitClass?: "primary" | "danger";
  onSubmit(): void;
  onCancel(): void;
  /** Fields before the reason (the transfer's new tube). */
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const chosen = reasonChosen(props.value);
  return (
    <Sheet title={props.title} status={props.status} testId={props.testId}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (chosen) props.onSubmit();
        }}
      >
        {props.children}
        <ReasonChips legend={props.legend} action={props.action} value={props.value} onChange={props.onChange} />
        <div className="sheet-actions">
          <button type="submit" className={props.submitClass ?? "primary"} disabled={!chosen}>
            {props.submitLabel}
          </button>
          <button type="button" onClick={props.onCancel}>
            {t("cancel")}
          </button>
        </div>
      </form>
    </Sheet>
  );
}
