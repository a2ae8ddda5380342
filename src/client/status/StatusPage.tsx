/**
 * The resident status page (public, no sign-in): a resident types their document number and name (and, if they
 * like, the last 4 digits of their phone) and sees only their own recent samplings and what became of them.
 */
import { type FormEvent, useEffect, useState } from "react";
import type { StatusAnswer } from "../../domain/labs";
import { lookUpStatus } from "./statusApi";

const WORDS = {
  zh: {
    title: "核酸采样结果查询",
    hint: "只显示本人近 14 天的采样记录。",
    docNumber: "证件号码",
    name: "姓名",
    phoneLast4: "手机号后 4 位（选填）",
    look: "查询",
    none: "没有找到记录。请核对证件号码、姓名和手机号后4位（与采样时登记的一致）。",
    tooMany: "查询太频繁，请稍后再试。",
    failed: "查询失败，请检查网络后重试。",
    sampled: "已采样",
    in_lab: "检测中",
    negative: "结果：阴性",
    contact_community: "请联系所在社区",
    other: "English",
  },
  en: {
    title: "Check your test status",
    hint: "Only your own samplings of the last 14 days are shown.",
    docNumber: "Document number",
    name: "Name",
    phoneLast4: "Last 4 digits of your phone (optional)",
    look: "Check",
    none: "No record found. Check the document number, the name and the phone's last 4 digits (as registered at sampling).",
    tooMany: "Too many lookups; please try again later.",
    failed: "The lookup failed; check the network and try again.",
    sampled: "Sampled",
    in_lab: "In the lab",
    negative: "Result: negative",
    contact_community: "Please contact your community",
    other: "中文",
  },
} as const;

type Lang = keyof typeof WORDS;
const LANG_KEY = "samplepoint.statusLang";

export function StatusPage() {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh"));
  const w = WORDS[lang];
  // The page's language and title follow the choice (screen readers, the tab), remembered on this phone.
  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = w.title;
    localStorage.setItem(LANG_KEY, lang);
  }, [lang, w.title]);
  const [answer, setAnswer] = useState<StatusAnswer | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const look = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const phoneLast4 = String(form.get("phoneLast4") ?? "").trim();
    setBusy(true);
    setProblem(null);
    setAnswer(null);
    const outcome = await lookUpStatus({
      docNumber: String(form.get("docNumber") ?? "").trim(),
      name: String(form.get("name") ?? "").trim(),
      ...(phoneLast4 ? { phoneLast4 } : {}),
    });
    setBusy(false);
    if (outcome.ok) setAnswer(outcome.answer);
    else setProblem(outcome.reason === "none" ? w.none : outcome.reason === "too_many" ? w.tooMany : w.failed);
  };

  return (
    <main className="screen status-page">
      <header className="status-header">
        <h1>{w.title}</h1>
        <button type="button" onClick={() => setLang(lang === "zh" ? "en" : "zh")}>
          {w.other}
        </button>
      </header>
      <form className="card" onSubmit={(e) => void look(e)} data-testid="status-form">
        <p>{w.hint}</p>
        <label>
          {w.docNumber}
          <input name="docNumber" autoComplete="off" required maxLength={64} />
        </label>
        <label>
          {w.name}
          <input name="name" autoComplete="name" required maxLength={64} />
        </label>
        <label>
          {w.phoneLast4}
          <input name="phoneLast4" inputMode="numeric" pattern="\d{4}" maxLength={4} autoComplete="off" />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {w.look}
        </button>
      </form>
      {problem && (
        <p className="message message-warn" role="alert">
          {problem}
        </p>
      )}
      {answer && (
        <section className="card" role="status" data-testid="status-answer">
          {answer.samplings.length === 0 ? (
            <p>{w.none}</p>
          ) : (
            <ul className="status-list">
              {answer.samplings.map((s) => (
                <li key={`${s.siteName}-${s.sampledAt}`}>
                  <strong>{w[s.status]}</strong>
                  <span>
                    {s.siteName} ·{" "}
                    {new Date(s.sampledAt).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false })}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </main>
  );
}
