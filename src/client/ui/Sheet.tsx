import { type ReactNode, useEffect, useId, useRef } from "react";

interface Props {
  title: string;
  /** The latest scan's message, shown in the sheet too: the sheet covers the screen's own message line. */
  status?: ReactNode;
  children: ReactNode;
  testId?: string;
  role?: "dialog" | "alertdialog";
  /** Takes the first field's focus when opened (false: the opener focuses something else itself). */
  focusFirst?: boolean;
}

const FIELD = "input:not([type=hidden]):not([readonly]):not([disabled]), select:not([disabled]), textarea, button";

/**
 * A form that slides up from the bottom, above the tab bar, in thumb reach: always in view when it opens, with its
 * first field focused. Not modal: the scan input behind it keeps taking a gun's codes (keyboardWedge).
 */
export function Sheet({ title, status, children, testId, role = "dialog", focusFirst = true }: Props) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!focusFirst) return;
    // A checked radio (a chosen reason) wins over the first one, as the browser's own tab order does.
    const sheet = ref.current;
    const first =
      sheet?.querySelector<HTMLElement>("input[type=radio]:checked") ?? sheet?.querySelector<HTMLElement>(FIELD);
    first?.focus({ preventScroll: true });
  }, [focusFirst]);
  const content = (
    <>
      <h3 id={titleId} className="sheet-title">
        {title}
      </h3>
      {status && <div className="sheet-status">{status}</div>}
      {children}
    </>
  );
  return role === "alertdialog" ? (
    <div className="sheet" role="alertdialog" aria-labelledby={titleId} data-testid={testId} ref={ref}>
      {content}
    </div>
  ) : (
    <div className="sheet" role="dialog" aria-labelledby={titleId} data-testid={testId} ref={ref}>
      {content}
    </div>
  );
}
