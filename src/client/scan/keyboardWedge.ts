/**
 * Scanner guns (USB/Bluetooth HID "keyboard wedge"): a gun types the code's characters, then Enter, into whatever has
 * focus. At a sampling point focus is wherever the last gloved tap left it — a member row, a tab, the sync button —
 * so while a scan screen is shown this module routes every code to the screen's scan input:
 * - keys typed while focus is on something that is not a text field (a button, a row, the page) go to the scan
 *   input, and Enter then submits it there: a button never receives a gun's Enter;
 * - in a form field (a sheet's document number, say) people type normally; a burst of keys faster than a person
 *   types (gaps < `maxGapMs`, at least `minLength` keys) ending in Enter is a gun's scan: the field gets back what it
 *   held before the burst and the code goes to the scan input (whose screen may hand it back to a sheet, as the
 *   transfer sheet does with a tube code);
 * - once a burst has gone to the scan input, the rest of it follows there even if focus moves mid-code.
 */

/** Gun keystrokes arrive a few ms apart; people type 80 ms or more apart. */
export const DEFAULT_MAX_GAP_MS = 30;
/** The shortest code a gun sends at a station (tube codes have 8 or more characters). */
export const DEFAULT_MIN_LENGTH = 4;

export interface WedgeTiming {
  maxGapMs: number;
  minLength: number;
}

/** Gun timing, configurable for slow Bluetooth guns: `samplepoint.wedgeGapMs` in localStorage. */
export function wedgeTiming(): WedgeTiming {
  let configured = Number.NaN;
  try {
    configured = Number(localStorage.getItem("samplepoint.wedgeGapMs"));
  } catch {
    // No storage: the default.
  }
  const maxGapMs =
    Number.isFinite(configured) && configured >= 5 && configured <= 200 ? configured : DEFAULT_MAX_GAP_MS;
  return { maxGapMs, minLength: DEFAULT_MIN_LENGTH };
}

/**
 * Keystroke times of one run of typing; pure, so the rule is unit-tested apart from the DOM. A run tolerates a late
 * key (a busy phone, a Bluetooth hiccup: up to 3× the gap) but is a gun's only if its typical (median) gap is a gun's.
 */
export class KeystrokeBurst {
  private gaps: number[] = [];
  private count = 0;
  private last = Number.NEGATIVE_INFINITY;

  constructor(private readonly timing: WedgeTiming) {}

  /** Whether a key at `time` continues this run (else a new run starts with it). */
  continues(time: number): boolean {
    return this.count > 0 && time - this.last <= 3 * this.timing.maxGapMs;
  }

  /** Records a keystroke; a long pause starts a new run. */
  key(time: number): void {
    if (this.continues(time)) this.gaps.push(time - this.last);
    else this.gaps = [];
    this.count = this.gaps.length + 1;
    this.last = time;
  }

  /** Whether an Enter at `time` ends a gun's scan: enough keys, typically a gun's gap apart, and a prompt Enter. */
  endsScan(time: number): boolean {
    if (this.count < this.timing.minLength || !this.continues(time)) return false;
    const sorted = [...this.gaps, time - this.last].sort((a, b) => a - b);
    return (sorted[Math.floor(sorted.length / 2)] ?? Number.POSITIVE_INFINITY) <= this.timing.maxGapMs;
  }

  reset(): void {
    this.gaps = [];
    this.count = 0;
    this.last = Number.NEGATIVE_INFINITY;
  }
}

const TEXT_INPUT_TYPES = new Set(["text", "search", "tel", "number", "email", "password", "url", ""]);

/** A field people type into (the scan input aside). */
export function isTextField(element: Element | null): element is HTMLInputElement | HTMLTextAreaElement {
  if (!element) return false;
  if (element instanceof HTMLTextAreaElement) return true;
  if (element instanceof HTMLInputElement) return TEXT_INPUT_TYPES.has(element.type) && !element.readOnly;
  return false;
}

const isFormControl = (element: Element | null): boolean =>
  isTextField(element) ||
  element instanceof HTMLSelectElement ||
  (element as HTMLElement | null)?.isContentEditable === true;

/** Sets a field's value the way typing does, so React's controlled inputs follow. */
function setFieldValue(field: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  const proto = field instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, "value")?.set?.call(field, value);
  field.dispatchEvent(new Event("input", { bubbles: true }));
}

export interface WedgeTarget {
  /** The screen's scan input (uncontrolled: the wedge appends to its value). */
  input(): HTMLInputElement | null;
  /** Submit what the scan input holds (e.g. its form's requestSubmit). */
  submit(): void;
  /** While true (a blocking dialog), keys are left alone. */
  paused?(): boolean;
}

/** Installs the wedge on the document; returns the uninstaller. */
export function installScannerWedge(target: WedgeTarget, timing: WedgeTiming = wedgeTiming()): () => void {
  const burst = new KeystrokeBurst(timing);
  // A burst typed into a form field: where, and what the field held before it.
  let fieldBurst: { field: HTMLInputElement | HTMLTextAreaElement; before: string } | null = null;
  // The current burst was routed to the scan input: keep it there even if focus moves mid-code.
  let routedToScan = false;

  const onInput = (event: Event) => {
    // Characters a keyboard cannot type (Chinese through a gun's Unicode mode, IME commits) arrive as input events
    // with no keydown: count them as keystrokes so a burst is not broken by them.
    if ((event as InputEvent).inputType === "insertText") burst.key(event.timeStamp);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (target.paused?.()) return;
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const input = target.input();
    if (!input) return;
    const isEnter = event.key === "Enter";
    const isChar = [...event.key].length === 1;
    if (!isChar && !isEnter) {
      if (event.key !== "Shift") {
        burst.reset();
        fieldBurst = null;
        routedToScan = false;
      }
      return;
    }
    const now = event.timeStamp;
    const active = document.activeElement;
    const continuing = burst.continues(now);
    if (!continuing) routedToScan = false;

    if (active === input) {
      // Typed where it belongs; Enter submits the scan form natively. The run stays the scan input's if focus moves.
      if (isChar) {
        burst.key(now);
        routedToScan = true;
      } else {
        burst.reset();
        routedToScan = false;
      }
      return;
    }

    if (isFormControl(active) && !routedToScan) {
      if (!isTextField(active)) return;
      if (isChar) {
        if (!continuing || fieldBurst?.field !== active) fieldBurst = { field: active, before: active.value };
        burst.key(now);
        return;
      }
      // Enter in a form field: a gun's scan only if it ends a burst typed into this field.
      if (fieldBurst?.field === active && burst.endsScan(now) && active.value.startsWith(fieldBurst.before)) {
        event.preventDefault();
        event.stopPropagation();
        const code = active.value.slice(fieldBurst.before.length);
        setFieldValue(active, fieldBurst.before);
        input.value = code;
        input.focus({ preventScroll: true });
        target.submit();
      }
      burst.reset();
      fieldBurst = null;
      return;
    }

    // Focus is on a button, a row, the page (or moved away mid-burst): the key belongs to the scan input.
    if (isChar) {
      event.preventDefault();
      event.stopPropagation();
      if (!continuing && !routedToScan) input.value = "";
      input.value += event.key;
      input.focus({ preventScroll: true });
      burst.key(now);
      routedToScan = true;
      return;
    }
    // Enter on a button: a person's Enter (no code typed) activates it as usual; after a code it submits the scan.
    if (routedToScan || (continuing && input.value !== "")) {
      event.preventDefault();
      event.stopPropagation();
      input.focus({ preventScroll: true });
      target.submit();
    }
    burst.reset();
    routedToScan = false;
  };

  document.addEventListener("keydown", onKeyDown, true);
  document.addEventListener("input", onInput, true);
  return () => {
    document.removeEventListener("keydown", onKeyDown, true);
    document.removeEventListener("input", onInput, true);
  };
}
