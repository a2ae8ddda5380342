import { useLiveQuery } from "dexie-react-hooks";
import { type ReactNode, useState } from "react";
import { type DocType, maskDocumentNumber } from "../../domain/documents";
import type { EventType } from "../../domain/events";
import type { StoredEvent } from "../data/db";
import type { EventAuthor, OpenEvent } from "../data/eventLog";
import {
  discardQuarantined,
  explainRejection,
  listQuarantine,
  type QuarantineProblem,
  type RejectionExplanation,
  type RejectionField,
  resubmitQuarantined,
} from "../station/quarantine";
import { syncLoop } from "../sync/syncLoop";
import { BilingualAlert } from "./BilingualAlert";
import { DocTypeSelect } from "./DocTypeSelect";
import { formatDateTime, type MessageKey, useI18n } from "./i18n";
import { ProblemMessage } from "./ProblemMessage";

const TYPE_NAMES: Record<"zh" | "en", Record<EventType, string>> = {
  zh: {
    "tube.opened": "开管",
    "registration.added": "登记",
    "registration.voided": "作废登记",
    "tube.sealed": "封管",
    "tube.transferred": "转管",
    "tube.abandoned": "放弃空管",
    "box.opened": "开箱",
    "box.tube_added": "装箱",
    "box.closed": "封箱",
    "box.handed_over": "交接",
    "quarantine.resolved": "处理拒收记录",
  },
  en: {
    "tube.opened": "Tube opened",
    "registration.added": "Registration",
    "registration.voided": "Registration voided",
    "tube.sealed": "Tube sealed",
    "tube.transferred": "Tube transferred",
    "tube.abandoned": "Empty tube abandoned",
    "box.opened": "Box opened",
    "box.tube_added": "Tube boxed",
    "box.closed": "Box closed",
    "box.handed_over": "Box handed over",
    "quarantine.resolved": "Quarantine decision",
  },
};

/** Events the server rejected: each with its reason, to correct and resubmit or to discard with a reason. */
export function QuarantineScreen({ author }: { author: EventAuthor }) {
  const { t } = useI18n();
  const items = useLiveQuery(() => listQuarantine(), []);
  const [done, setDone] = useState(0);
  return (
    <main className="screen quarantine-screen" data-testid="quarantine">
      <section className="card">
        <p>{t("quarantineIntro")}</p>
        {done > 0 && <BilingualAlert messageKey="quarantineDone" tone="warn" testId="quarantine-done" />}
        {items?.length === 0 && <p>{t("quarantineEmpty")}</p>}
        {items?.map((stored) => (
          <QuarantineItem key={stored.id} stored={stored} author={author} onDecided={() => setDone((n) => n + 1)} />
        ))}
      </section>
    </main>
  );
}

function QuarantineItem({
  stored,
  author,
  onDecided,
}: {
  stored: OpenEvent;
  author: EventAuthor;
  onDecided: () => void;
}) {
  const { t, lang, docTypeName } = useI18n();
  const { event, rejection } = stored;
  const resident = event.type === "registration.added" ? event.payload.resident : null;
  const [name, setName] = useState(resident?.name ?? "");
  const [docType, setDocType] = useState<DocType>(resident?.docType ?? "ID");
  const [docNumber, setDocNumber] = useState(resident?.docNumber ?? "");
  const [phone, setPhone] = useState(resident?.phone ?? "");
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<QuarantineProblem | null>(null);

  const finish = (outcome: { ok: true } | { ok: false; error: QuarantineProblem }) => {
    if (!outcome.ok) {
      setProblem(outcome.error);
      return;
    }
    setProblem(null);
    onDecided();
    void syncLoop.syncNow();
  };
  const resubmit = async () => {
    const corrected = resident
      ? { ...resident, name, docType, docNumber, ...(phone ? { phone } : { phone: undefined }) }
      : undefined;
    if (corrected && !corrected.phone) delete corrected.phone;
    finish(await resubmitQuarantined(author, stored, reason, corrected));
  };
  const discard = async () => finish(await discardQuarantined(author, stored.id, reason));
  const explanation = explainRejection(rejection);

  return (
    <article className="quarantine-item" data-testid={`quarantined-${stored.seq}`}>
      <header>
        <strong>{TYPE_NAMES[lang][event.type]}</strong>
        <span>{formatDateTime(event.occurredAt, lang)}</span>
        {"tubeCode" in event.payload && <span className="badge">{event.payload.tubeCode}</span>}
        {resident && (
          <span>
            {resident.name} · {docTypeName(resident.docType)} {maskDocumentNumber(resident.docNumber)}
          </span>
        )}
      </header>
      <RejectionReason explanation={explanation} rejection={rejection} />
      {resident && (
        <div className="quarantine-fix">
          <label>
            {t("name")}
            <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
          </label>
          <DocTypeSelect value={docType} onChange={setDocType} />
          <label>
            {t("docNumber")}
            <input value={docNumber} onChange={(e) => setDocNumber(e.target.value)} autoComplete="off" />
          </label>
          <label>
            {t("phone")}
            <input value={phone} onChange={(e) => setPhone(e.target.value)} inputMode="tel" autoComplete="off" />
          </label>
        </div>
      )}
      <label>
        {t("quarantineReason")}
        <input value={reason} onChange={(e) => setReason(e.target.value)} autoComplete="off" />
      </label>
      {problem &&
        (problem.code === "still_invalid" ? (
          <BilingualAlert
            messageKey={problem.fields.length > 0 ? "quarantineStillInvalidFields" : "quarantineStillInvalid"}
            testId="problem"
            code={problem.code}
          >
            {problem.fields.map((field) => (
              <span key={field}>{t(fieldSentence(field))}</span>
            ))}
            <TechnicalDetails code={problem.code} message={problem.message} />
          </BilingualAlert>
        ) : problem.code === "not_quarantined" ? (
          <BilingualAlert messageKey="quarantineNotQuarantined" testId="problem" code={problem.code} />
        ) : (
          <ProblemMessage problem={problem} />
        ))}
      <div className="actions">
        <button type="button" onClick={() => void resubmit()}>
          {t("quarantineResubmit")}
        </button>
        <button type="button" className="secondary" onClick={() => void discard()}>
          {t("quarantineDiscard")}
        </button>
      </div>
    </article>
  );
}

const fieldSentence = (field: RejectionField): MessageKey => `rejectedField_${field}`;

/** What to say: a sentence per field the server named, or the sentence for the refusal's code. */
const sentencesOf = (explanation: RejectionExplanation): MessageKey[] =>
  explanation.fields.length > 0 ? explanation.fields.map(fieldSentence) : [`rejectedSentence_${explanation.code}`];

/** Why the server refused the record, as sentences saying what to do; the server's own text only under "details". */
function RejectionReason({
  explanation,
  rejection,
}: {
  explanation: RejectionExplanation;
  rejection: StoredEvent["rejection"];
}) {
  const { t, tOther } = useI18n();
  const sentences = sentencesOf(explanation);
  return (
    <div className="message message-warn quarantine-reason" data-testid="rejection-reason" data-code={explanation.code}>
      {sentences.map((key) => (
        <strong key={key}>{t(key)}</strong>
      ))}
      <TechnicalDetails code={rejection?.code ?? "unknown"} message={rejection?.message}>
        {sentences.map((key) => (
          <p key={key}>{tOther(key)}</p>
        ))}
      </TechnicalDetails>
    </div>
  );
}

/** The raw refusal (code, the server's or validation's message with field paths), folded away for whoever debugs it. */
function TechnicalDetails({ code, message, children }: { code: string; message?: string; children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <details className="quarantine-details" data-testid="rejection-details">
      <summary>{t("quarantineDetails")}</summary>
      {children}
      <p>
        <code>{t("quarantineDetailCode", { code })}</code>
      </p>
      {message ? <p className="quarantine-technical">{message}</p> : null}
    </details>
  );
}
