import type { ReactNode } from "react";
import { type MessageKey, useI18n } from "./i18n";

interface Props {
  messageKey: MessageKey;
  values?: Record<string, string | number>;
  tone?: "error" | "warn";
  testId?: string;
  code?: string;
  children?: ReactNode;
}

/** An alert in the chosen language with the other language beneath, so every message is there in both. */
export function BilingualAlert({ messageKey, values, tone = "error", testId, code, children }: Props) {
  const { t, tOther } = useI18n();
  return (
    <div className={`message message-${tone}`} role="alert" data-testid={testId} data-code={code}>
      <strong>{t(messageKey, values)}</strong>
      <small>{tOther(messageKey, values)}</small>
      {children}
    </div>
  );
}
