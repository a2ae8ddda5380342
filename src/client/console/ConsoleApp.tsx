/**
 * The desk console (/console/…): labs, and the command centre. Signed in with the same accounts; each screen
 * is shown only to the roles the server lets use it (the server answers 403 to the others anyway).
 */
import { type FormEvent, useState } from "react";
import { Link, Redirect, Route, Router, Switch } from "wouter";
import { ImportScreen } from "./admin/ImportScreen";
import { DashboardScreen } from "./command/DashboardScreen";
import { LookupScreen } from "./command/LookupScreen";
import { ApiError, consoleApi } from "./consoleApi";
import { type ConsoleMessageKey, hasMessage, useConsoleI18n } from "./consoleI18n";
import { setConsoleSession, signedOutBecause, useConsoleSession } from "./consoleSession";
import { RecallsScreen } from "./lab/RecallsScreen";
import { ReceiveScreen } from "./lab/ReceiveScreen";
import { ResultsScreen } from "./lab/ResultsScreen";
import { UploadScreen } from "./lab/UploadScreen";
import { BoxLabelsScreen } from "./labels/BoxLabelsScreen";
import { RostersScreen } from "./rosters/RostersScreen";
import { UnsampledScreen } from "./rosters/UnsampledScreen";

type Role = "lab" | "admin" | "site_lead" | "collector";

const SCREENS: { path: string; label: ConsoleMessageKey; roles: Role[] }[] = [
  { path: "/command", label: "navCommand", roles: ["admin"] },
  { path: "/lookup", label: "navLookup", roles: ["admin"] },
  { path: "/lab/receive", label: "navReceive", roles: ["lab"] },
  { path: "/lab/results", label: "navResults", roles: ["lab"] },
  { path: "/lab/upload", label: "navUpload", roles: ["lab"] },
  { path: "/lab/recalls", label: "navRecalls", roles: ["lab"] },
  { path: "/rosters", label: "navRosters", roles: ["admin", "site_lead"] },
  { path: "/labels", label: "navBoxLabels", roles: ["admin", "site_lead"] },
  { path: "/import", label: "navImport", roles: ["admin"] },
];

export function ConsoleApp() {
  const session = useConsoleSession();
  const { t, toggle } = useConsoleI18n();
  if (!session) return <SignIn />;
  const role = session.staff.role as Role;
  const mine = SCREENS.filter((s) => s.roles.includes(role));
  const signOut = () => {
    void consoleApi.signOut(session.token).catch(() => undefined);
    setConsoleSession(null);
  };
  return (
    <Router base="/console">
      <div className="console">
        <header className="console-header">
          <strong>{t("title")} · SamplePoint</strong>
          <span className="console-who" data-testid="console-who">
            {session.staff.name}
            {session.lab ? ` · ${session.lab.name}` : ""}
          </span>
          <button type="button" onClick={toggle}>
            {t("language")}
          </button>
          <button type="button" onClick={signOut} data-testid="console-sign-out">
            {t("signOut")}
          </button>
        </header>
        <nav className="console-nav" aria-label={t("title")}>
          {mine.map((s) => (
            <Link key={s.path} href={s.path} className={(active) => (active ? "active" : "")}>
              {t(s.label)}
            </Link>
          ))}
        </nav>
        <main className="console-main">
          {mine.length === 0 ? (
            <p className="message message-warn">
              {t("noConsoleRole")} · <a href="/">{t("goStation")}</a>
            </p>
          ) : (
            <Switch>
              {mine.some((s) => s.path === "/rosters") && (
                <Route path="/rosters/unsampled">
                  <UnsampledScreen />
                </Route>
              )}
              {mine.map((s) => (
                <Route key={s.path} path={s.path}>
                  <Screen path={s.path} />
                </Route>
              ))}
              <Route>
                <Redirect to={mine[0]?.path ?? "/"} />
              </Route>
            </Switch>
          )}
        </main>
      </div>
    </Router>
  );
}

function Screen({ path }: { path: string }) {
  switch (path) {
    case "/lab/receive":
      return <ReceiveScreen />;
    case "/lab/results":
      return <ResultsScreen />;
    case "/lab/upload":
      return <UploadScreen />;
    case "/lab/recalls":
      return <RecallsScreen />;
    case "/command":
      return <DashboardScreen />;
    case "/lookup":
      return <LookupScreen />;
    case "/labels":
      return <BoxLabelsScreen />;
    case "/rosters":
      return <RostersScreen />;
    default:
      return <ImportScreen />;
  }
}

/** Codes of a sign-in the server no longer takes: the desk goes back to the sign-in screen. */
const ENDED = new Set(["token_revoked", "token_expired", "invalid_token", "missing_token", "staff_disabled"]);

/** A server code in the console's language, with the details it carries (e.g. the lab a box is for). */
export function useCodeMessage() {
  const { t } = useConsoleI18n();
  return (code: string, message: string, details?: Record<string, unknown>): string => {
    const key = `err_${code}`;
    if (!hasMessage(key)) return `${message} (${code})`;
    const values = Object.fromEntries(Object.entries(details ?? {}).map(([k, v]) => [k, String(v)]));
    return t(key, values);
  };
}

/** A message for a failed call, in the console's language (the server's message for a code it has no words for). */
export function useExplain() {
  const { t } = useConsoleI18n();
  const codeMessage = useCodeMessage();
  return (error: unknown): string => {
    if (error instanceof ApiError) {
      if (error.failure.kind === "network") return t("networkDown");
      if (error.failure.status === 401 && ENDED.has(error.failure.code)) {
        setConsoleSession(null, t("sessionEnded"));
        return t("sessionEnded");
      }
      return codeMessage(error.failure.code, error.failure.message, error.failure.details);
    }
    return String(error);
  };
}

function SignIn() {
  const { t, toggle } = useConsoleI18n();
  const explain = useExplain();
  const [error, setError] = useState<string | null>(signedOutBecause);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      setConsoleSession(
        await consoleApi.signIn(String(form.get("username") ?? ""), String(form.get("password") ?? "")),
      );
    } catch (e) {
      setError(
        e instanceof ApiError && e.failure.kind === "http" && e.failure.status === 401
          ? t("wrongCredentials")
          : explain(e),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="console console-sign-in">
      <header className="console-header">
        <strong>{t("title")} · SamplePoint</strong>
        <button type="button" onClick={toggle}>
          {t("language")}
        </button>
      </header>
      <main className="console-main">
        <form className="card" onSubmit={(e) => void submit(e)} data-testid="console-login">
          <h1>{t("signIn")}</h1>
          <label>
            {t("username")}
            <input name="username" autoComplete="username" required />
          </label>
          <label>
            {t("password")}
            <input name="password" type="password" autoComplete="current-password" required />
          </label>
          {error && (
            <p className="message message-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {t("signIn")}
          </button>
        </form>
      </main>
    </div>
  );
}
