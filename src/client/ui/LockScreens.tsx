import { type FormEvent, useState } from "react";
import { pinNeededAfterSignIn } from "../data/deviceKeys";
import { checkPin, isValidPin, setPin } from "../data/pin";
import { requirePassword } from "../sync/signIn";
import { BilingualAlert } from "./BilingualAlert";
import { type MessageKey, useI18n } from "./i18n";

type Message = { key: MessageKey; values?: Record<string, string | number> } | null;

function Bilingual({ message }: { message: Message }) {
  if (!message) return null;
  return (
    <BilingualAlert
      messageKey={message.key}
      {...(message.values ? { values: message.values } : {})}
      testId="pin-message"
    />
  );
}

/** First login on this device: choose the PIN that unlocks the app from now on. */
/** A labelled PIN field: hidden digits, numeric keypad on phones, never autofilled. */
function PinField(props: {
  label: string;
  name: string;
  value: string;
  onChange(value: string): void;
  autoFocus?: boolean;
}) {
  return (
    <label>
      {props.label}
      <input
        name={props.name}
        type="password"
        inputMode="numeric"
        autoComplete="off"
        // biome-ignore lint/a11y/noAutofocus: the PIN screens have nothing else to do
        autoFocus={props.autoFocus ?? false}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}

export function SetPinScreen({ onDone }: { onDone(): void }) {
  const { t } = useI18n();
  const [pin, setPinValue] = useState("");
  const [again, setAgain] = useState("");
  const [message, setMessage] = useState<Message>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!isValidPin(pin)) return setMessage({ key: "pinInvalid" });
    if (pin !== again) return setMessage({ key: "pinMismatch" });
    await setPin(pin);
    onDone();
  }

  return (
    <main className="screen">
      <h1>{t("setPinTitle")}</h1>
      <form className="card" onSubmit={submit}>
        <p>{t("setPinHint")}</p>
        <PinField label={t("pin")} name="pin" value={pin} onChange={setPinValue} autoFocus />
        <PinField label={t("pinAgain")} name="pin-again" value={again} onChange={setAgain} />
        <Bilingual message={message} />
        <button type="submit" className="primary">
          {t("savePin")}
        </button>
      </form>
    </main>
  );
}

/** The lock screen: the PIN unlocks; five wrong PINs send staff to the password login, keeping every record. */
export function LockScreen({ onUnlock, onPasswordRequired }: { onUnlock(): void; onPasswordRequired(): void }) {
  const { t } = useI18n();
  const [pin, setPinValue] = useState("");
  // Signed in with a password that could not open the records: say why the PIN is asked for.
  const [message, setMessage] = useState<Message>(() =>
    pinNeededAfterSignIn() ? { key: "pinAfterPasswordChange" } : null,
  );
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    // Not a PIN at all (a scanner gun's code typed into the field while the app was locked, say): say so, and do
    // not count it as a wrong PIN — five of those would sign staff out.
    if (!isValidPin(pin)) {
      setPinValue("");
      setMessage({ key: "pinNotCounted" });
      return;
    }
    setBusy(true);
    try {
      const result = await checkPin(pin);
      setPinValue("");
      if (result.ok) return onUnlock();
      if (result.remaining > 0) return setMessage({ key: "pinWrong", values: { n: result.remaining } });
      await requirePassword();
      onPasswordRequired();
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="screen lock-screen" data-testid="lock-screen">
      <h1>🔒 {t("lockedTitle")}</h1>
      <form className="card" onSubmit={submit}>
        {/* The lock screen has one field and nothing else to do: it takes the focus. */}
        <PinField label={t("pin")} name="pin" value={pin} onChange={setPinValue} autoFocus />
        <Bilingual message={message} />
        <button type="submit" className="primary" disabled={busy}>
          {t("unlock")}
        </button>
      </form>
    </main>
  );
}
