/**
 * The resident self-service page (public, no sign-in): a resident adds themselves and their family, and gets each
 * person's resident code (SP1) as a large QR code to show at the sampling point, or printed on an A6 card for those
 * without a phone. Everything stays on this device (./family.ts): the page makes no request of its own.
 */
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { type DocType, maskDocumentNumber, validateDocument } from "../../domain/documents";
import { normalizeDocNumber } from "../../domain/normalizeInput";
import type { Resident, ResidentCodeError } from "../../domain/residentCode";
import { PRINT_TIP } from "../print/residentCardText";
import { DocTypeSelect } from "../ui/DocTypeSelect";
import { fill, type Lang, useI18n } from "../ui/i18n";
import { ProblemMessage } from "../ui/ProblemMessage";
import {
  addMember,
  FAMILY_KEY,
  type FamilyMember,
  type FamilyProblem,
  loadFamily,
  newMemberId,
  removeMember,
  residentCodeOf,
  saveFamily,
  updateMember,
} from "./family";
import { QrCode } from "./QrCode";

const WORDS = {
  zh: {
    title: "家庭核酸码",
    intro: "为自己和家人生成居民码，采样时出示给工作人员扫码。信息只保存在这部手机上，不会上传。",
    add: "＋ 添加家人",
    addTitle: "添加家人",
    editTitle: "修改{name}的信息",
    community: "社区（选填）",
    save: "保存",
    show: "出示此码",
    edit: "修改",
    remove: "删除",
    removeAsk: "删除{name}的码？删除后可以重新添加。",
    removeYes: "确认删除",
    removed: "已删除{name}",
    saved: "已保存{name}",
    print: "打印卡片",
    printHint: "给没有手机的老人、孩子打印卡片：A6 纸，每人一张。",
    close: "关闭",
    next: "下一位",
    brightness: "请把屏幕调到最亮，对准扫码",
    qrLabel: "{name}的居民码",
    duplicate: "这个证件号已经添加过（{name}）",
    saveFailed: "无法保存到本机（存储空间不足或浏览器禁止）：关闭本页后信息会丢失",
    people: "家人",
  },
  en: {
    title: "Family codes",
    intro:
      "Make resident codes for yourself and your family, and show them to the staff at sampling. Everything stays on this phone; nothing is uploaded.",
    add: "+ Add a person",
    addTitle: "Add a person",
    editTitle: "Edit {name}",
    community: "Community (optional)",
    save: "Save",
    show: "Show this code",
    edit: "Edit",
    remove: "Delete",
    removeAsk: "Delete {name}'s code? You can add them again later.",
    removeYes: "Delete",
    removed: "{name} deleted",
    saved: "{name} saved",
    print: "Print cards",
    printHint: "For those without a phone: one A6 card per person.",
    close: "Close",
    next: "Next person",
    brightness: "Turn the screen to full brightness to scan",
    qrLabel: "Resident code of {name}",
    duplicate: "This document number is already on the list ({name})",
    saveFailed: "Could not save on this phone (storage full or blocked): the list will be lost when this page closes",
    people: "Family",
  },
} as const;

type Words = (typeof WORDS)[Lang];

const STORAGE: Storage | null = (() => {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
})();

export function ResidentPage() {
  const { lang, setLang, t } = useI18n();
  const w = WORDS[lang];
  const [members, setMembers] = useState<FamilyMember[]>(() => (STORAGE ? loadFamily(STORAGE) : []));
  // The form opens at once on a first visit; `editing` null = a new person.
  const [form, setForm] = useState<{ editing: FamilyMember | null } | null>(() =>
    members.length === 0 ? { editing: null } : null,
  );
  const [showing, setShowing] = useState<string | null>(null);
  const [asking, setAsking] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [saveFailed, setSaveFailed] = useState(false);
  const addRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    document.title = `${w.title} · SamplePoint`;
  }, [w.title]);
  // Another tab of this page changed the list: follow it.
  useEffect(() => {
    const follow = (event: StorageEvent) => {
      if (event.key === FAMILY_KEY && STORAGE) setMembers(loadFamily(STORAGE));
    };
    window.addEventListener("storage", follow);
    return () => window.removeEventListener("storage", follow);
  }, []);

  const commit = (next: FamilyMember[]) => {
    setMembers(next);
    setSaveFailed(!STORAGE || !saveFamily(STORAGE, next));
    // The browser may clear a site's storage under pressure unless asked to keep it.
    void navigator.storage?.persist?.().catch(() => undefined);
  };

  const submit = (input: Resident): FamilyProblem | null => {
    const editing = form?.editing ?? null;
    const outcome = editing ? updateMember(members, editing.id, input) : addMember(members, input, newMemberId);
    if (!outcome.ok) return outcome.error;
    commit(outcome.value.members);
    setForm(null);
    setNotice(fill(w.saved, { name: outcome.value.member.name }));
    return null;
  };

  const remove = (member: FamilyMember) => {
    commit(removeMember(members, member.id));
    setAsking(null);
    setNotice(fill(w.removed, { name: member.name }));
    addRef.current?.focus();
  };

  const shown = members.find((m) => m.id === showing) ?? null;
  const closeShown = useCallback(() => setShowing(null), []);
  // Back from the full-screen code: the focus returns to the button that opened it.
  const openerRef = useRef<HTMLElement | null>(null);
  useEffect(() => {
    if (showing === null) openerRef.current?.focus();
  }, [showing]);
  const show = (id: string) => {
    openerRef.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setShowing(id);
  };

  return (
    <>
      <main className="resident-page screen-only" inert={shown !== null}>
        <header className="resident-header">
          <h1>{w.title}</h1>
          <button type="button" className="resident-lang" onClick={() => setLang(lang === "zh" ? "en" : "zh")}>
            {t("language")}
          </button>
        </header>
        <p className="resident-intro">{w.intro}</p>
        {saveFailed && (
          <p className="message message-warn" role="alert">
            {w.saveFailed}
          </p>
        )}
        <p className="resident-notice" role="status">
          {notice}
        </p>

        {members.length > 0 && (
          <ul className="people" aria-label={w.people} data-testid="people">
            {members.map((member) => (
              <PersonCard
                key={member.id}
                member={member}
                w={w}
                asking={asking === member.id}
                onShow={() => show(member.id)}
                onEdit={() => {
                  setAsking(null);
                  setForm({ editing: member });
                }}
                onAskRemove={() => setAsking(member.id)}
                onCancelRemove={() => setAsking(null)}
                onRemove={() => remove(member)}
              />
            ))}
          </ul>
        )}

        {form ? (
          <MemberForm
            key={form.editing?.id ?? "new"}
            initial={form.editing}
            w={w}
            cancellable={members.length > 0}
            onSubmit={submit}
            onCancel={() => setForm(null)}
          />
        ) : (
          <div className="resident-actions">
            <button
              ref={addRef}
              type="button"
              className="primary"
              onClick={() => setForm({ editing: null })}
              data-testid="add-person"
            >
              {w.add}
            </button>
            {members.length > 0 && (
              <>
                <button type="button" onClick={() => window.print()} data-testid="print-cards">
                  {w.print}
                </button>
                <p className="resident-hint">{w.printHint}</p>
              </>
            )}
          </div>
        )}
      </main>

      {shown && (
        <ShowCode
          member={shown}
          w={w}
          onNext={members.length > 1 ? () => setShowing(nextId(members, shown.id)) : null}
          onClose={closeShown}
        />
      )}

      <PrintCards members={members} w={w} />
    </>
  );
}

const nextId = (members: FamilyMember[], id: string): string => {
  const i = members.findIndex((m) => m.id === id);
  return (members[(i + 1) % members.length] as FamilyMember).id;
};

/** The code of a person, or why it cannot be made (a stored entry the rules no longer accept: edit it). */
function PersonCode({
  member,
  w,
  className,
  testId,
}: {
  member: FamilyMember;
  w: Words;
  className: string;
  testId: string;
}) {
  const code = residentCodeOf(member);
  if (!code.ok) return <ProblemMessage problem={{ code: "invalid_resident", error: code.error }} />;
  return (
    <QrCode text={code.value} label={fill(w.qrLabel, { name: member.name })} className={className} testId={testId} />
  );
}

function PersonCard({
  member,
  w,
  asking,
  onShow,
  onEdit,
  onAskRemove,
  onCancelRemove,
  onRemove,
}: {
  member: FamilyMember;
  w: Words;
  asking: boolean;
  onShow(): void;
  onEdit(): void;
  onAskRemove(): void;
  onCancelRemove(): void;
  onRemove(): void;
}) {
  const { docTypeName, t } = useI18n();
  const askId = `ask-${member.id}`;
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
  }, [asking]);
  return (
    <li className="card person" data-testid="person">
      <h2 className="person-name">{member.name}</h2>
      <p className="person-doc">
        {docTypeName(member.docType)} <span data-testid="masked-number">{maskDocumentNumber(member.docNumber)}</span>
      </p>
      <PersonCode member={member} w={w} className="person-qr" testId="person-qr" />
      <button type="button" className="primary person-show" onClick={onShow} data-testid="show-code-button">
        {w.show}
      </button>
      {asking ? (
        <div className="person-confirm" role="alertdialog" aria-labelledby={askId} data-testid="confirm-remove">
          <p id={askId}>{fill(w.removeAsk, { name: member.name })}</p>
          <div className="person-actions">
            <button type="button" className="danger" ref={confirmRef} onClick={onRemove}>
              {w.removeYes}
            </button>
            <button type="button" onClick={onCancelRemove}>
              {t("cancel")}
            </button>
          </div>
        </div>
      ) : (
        <div className="person-actions">
          <button type="button" onClick={onEdit}>
            {w.edit}
          </button>
          <button type="button" className="danger" onClick={onAskRemove}>
            {w.remove}
          </button>
        </div>
      )}
    </li>
  );
}

type Field = "name" | "docNumber" | "phone" | "community";

/** Which field a refusal is about, so the focus goes there. */
function fieldOf(error: ResidentCodeError): Field | null {
  switch (error.code) {
    case "bad_name":
    case "name_too_long":
      return "name";
    case "bad_document":
    case "unknown_doc_type":
      return "docNumber";
    case "bad_phone":
      return "phone";
    case "community_too_long":
      return "community";
    case "bad_field":
      return error.field === "docType" ? "docNumber" : error.field;
    default:
      return null;
  }
}

function MemberForm({
  initial,
  w,
  cancellable,
  onSubmit,
  onCancel,
}: {
  initial: FamilyMember | null;
  w: Words;
  cancellable: boolean;
  onSubmit(input: Resident): FamilyProblem | null;
  onCancel(): void;
}) {
  const { t, documentReason } = useI18n();
  const [name, setName] = useState(initial?.name ?? "");
  const [docType, setDocType] = useState<DocType>(initial?.docType ?? "ID");
  const [docNumber, setDocNumber] = useState(initial?.docNumber ?? "");
  const [phone, setPhone] = useState(initial?.phone ?? "");
  const [community, setCommunity] = useState(initial?.community ?? "");
  const [problem, setProblem] = useState<FamilyProblem | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const focusField = useCallback((field: Field) => {
    formRef.current?.querySelector<HTMLInputElement>(`[name="${field}"]`)?.focus();
  }, []);
  // Opened: in view, its first field focused.
  useEffect(() => {
    formRef.current?.scrollIntoView({ block: "nearest" });
    focusField("name");
  }, [focusField]);

  // Live check of the document number while it is typed, as at the station.
  const docCheck = docNumber.trim() !== "" ? validateDocument(docType, normalizeDocNumber(docNumber)) : null;
  const problemField = problem?.code === "invalid_resident" ? fieldOf(problem.error) : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const refused = onSubmit({ name, docType, docNumber, phone, community });
    setProblem(refused);
    if (refused) focusField(refused.code === "duplicate" ? "docNumber" : (fieldOf(refused.error) ?? "name"));
  };

  const title = initial ? fill(w.editTitle, { name: initial.name }) : w.addTitle;
  return (
    <form ref={formRef} className="card member-form" onSubmit={submit} aria-label={title} data-testid="member-form">
      <h2>{title}</h2>
      <label>
        {t("name")}
        <input
          name="name"
          value={name}
          autoComplete="off"
          maxLength={64}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={problemField === "name" || undefined}
          required
        />
      </label>
      <DocTypeSelect value={docType} onChange={setDocType} />
      <label>
        {t("docNumber")}
        <input
          name="docNumber"
          value={docNumber}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          onChange={(e) => setDocNumber(e.target.value)}
          aria-invalid={docCheck ? !docCheck.ok : problemField === "docNumber" || undefined}
          aria-describedby="doc-hint"
          required
        />
        <small id="doc-hint" data-testid="doc-hint" className={docCheck && !docCheck.ok ? "hint-error" : "hint"}>
          {docCheck ? (docCheck.ok ? "✓" : `✗ ${documentReason(docCheck.error.docType, docCheck.error.reason)}`) : ""}
        </small>
      </label>
      <label>
        {t("phone")}
        <input
          name="phone"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          aria-invalid={problemField === "phone" || undefined}
        />
      </label>
      <label>
        {w.community}
        <input
          name="community"
          value={community}
          autoComplete="off"
          maxLength={100}
          onChange={(e) => setCommunity(e.target.value)}
          aria-invalid={problemField === "community" || undefined}
        />
      </label>
      {problem?.code === "invalid_resident" && <ProblemMessage problem={problem} />}
      {problem?.code === "duplicate" && (
        <p className="message message-error" role="alert" data-testid="problem" data-code="duplicate">
          <strong>{fill(w.duplicate, { name: problem.name })}</strong>
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" data-testid="save-person">
          {w.save}
        </button>
        {cancellable && (
          <button type="button" onClick={onCancel}>
            {t("cancel")}
          </button>
        )}
      </div>
    </form>
  );
}

/** The code filling the screen, black on white, to hold up to the station's camera. */
function ShowCode({
  member,
  w,
  onNext,
  onClose,
}: {
  member: FamilyMember;
  w: Words;
  onNext: (() => void) | null;
  onClose(): void;
}) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    // Keep the screen on while the code is shown (where the browser can).
    let lock: WakeLockSentinel | null = null;
    let closed = false;
    void navigator.wakeLock
      ?.request("screen")
      .then((l) => {
        if (closed) void l.release();
        else lock = l;
      })
      .catch(() => undefined);
    return () => {
      closed = true;
      window.removeEventListener("keydown", onKey);
      void lock?.release().catch(() => undefined);
    };
  }, [onClose]);
  return (
    <div className="show-code" role="dialog" aria-modal="true" aria-labelledby="show-name" data-testid="show-code">
      <h2 id="show-name" className="show-name">
        {member.name}
      </h2>
      <p className="show-doc">{maskDocumentNumber(member.docNumber)}</p>
      <PersonCode member={member} w={w} className="show-qr" testId="show-code-qr" />
      <p className="show-tip">{w.brightness}</p>
      <div className="show-actions">
        {onNext && (
          <button type="button" onClick={onNext} data-testid="show-next">
            {w.next}
          </button>
        )}
        <button type="button" className="primary" ref={closeRef} onClick={onClose} data-testid="show-close">
          {w.close}
        </button>
      </div>
    </div>
  );
}

/** One A6 card per person, shown only when printing (see src/client/print/residentCards.css). */
function PrintCards({ members, w }: { members: FamilyMember[]; w: Words }) {
  const { docTypeName } = useI18n();
  return (
    <div className="print-only" data-testid="print-cards">
      {members.map((member) => (
        <section key={member.id} className="print-card" data-testid="print-card">
          <h2 className="print-name">{member.name}</h2>
          <p className="print-doc">
            {docTypeName(member.docType)} {maskDocumentNumber(member.docNumber)}
          </p>
          <PersonCode member={member} w={w} className="print-qr" testId="print-qr" />
          <p className="print-tip">{PRINT_TIP}</p>
        </section>
      ))}
    </div>
  );
}
