import { type FormEvent, useState } from "react";
import { RecordsOfAnotherUserError } from "../data/deviceKeys";
import { ApiError } from "../sync/api";
import { signIn } from "../sync/signIn";
import { BilingualAlert } from "./BilingualAlert";
import { type MessageKey, useI18n } from "./i18n";

export function LoginScreen({ lastUsername, passwordRequired }: { lastUsername?: string; passwordRequired?: boolean }) {
  const { t } = useI18n();
  const [username, setUsername] = useState(lastUsername ?? "");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ key: MessageKey; values?: Record<string, string> } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
    } catch (e) {
      const failure = e instanceof ApiError ? e.failure : null;
      if (e instanceof RecordsOfAnotherUserError)
        setError({
          key: e.ownPreviousPassword ? "recordsSealedUnderPreviousPassword" : "recordsOfAnotherUser",
          values: { n: String(e.unsent) },
        });
      else if (failure?.kind === "network") setError({ key: "networkDown" });
      else if (failure?.kind === "http" && failure.status === 401) setError({ key: "wrongCredentials" });
      else if (failure?.kind === "http" && failure.status === 429) {
        const minutes = Math.max(1, Math.ceil((failure.retryAfterSeconds ?? 60) / 60));
        setError({ key: "tooManyAttempts", values: { minutes: String(minutes) } });
      } else
        setError({
          key: "loginFailed",
          values: { message: failure ? `${failure.code}: ${failure.message}` : String(e) },
        });
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="screen login-screen">
      <h1>{t("loginTitle")}</h1>
      <form onSubmit={submit} className="card">
        <label>
          {t("username")}
          <input
            name="username"
            autoComplete="username"
            // biome-ignore lint/a11y/noAutofocus: the sign-in screen has nothing else to do
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <label>
          {t("password")}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {passwordRequired && !error && <BilingualAlert messageKey="passwordRequired" tone="warn" />}
        {error && <BilingualAlert messageKey={error.key} {...(error.values ? { values: error.values } : {})} />}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("loggingIn") : t("login")}
        </button>
      </form>
    </main>
  );
}
