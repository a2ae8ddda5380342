import { type RefObject, useEffect } from "react";
import { installScannerWedge, isTextField } from "../scan/keyboardWedge";

/**
 * Keeps a scan screen ready for the next code: a scanner gun's codes reach the scan input wherever focus is
 * (keyboardWedge), and after any tap that leaves focus outside a form field (a row, a heading, a button, a tab,
 * a closed sheet) the scan input takes focus again.
 */
export function useScanFocus(inputRef: RefObject<HTMLInputElement | null>, formRef: RefObject<HTMLFormElement | null>) {
  useEffect(() => {
    const uninstall = installScannerWedge({
      input: () => inputRef.current,
      submit: () => formRef.current?.requestSubmit(),
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refocus = () => {
      clearTimeout(timer);
      // After the tap's own handlers and renders: a sheet that opened has focused its field by then.
      timer = setTimeout(() => {
        const active = document.activeElement;
        if (isTextField(active) || active instanceof HTMLSelectElement) return;
        if (active instanceof HTMLInputElement && active.type === "radio") return;
        inputRef.current?.focus({ preventScroll: true });
      }, 0);
    };
    document.addEventListener("click", refocus);
    return () => {
      uninstall();
      clearTimeout(timer);
      document.removeEventListener("click", refocus);
    };
  }, [inputRef, formRef]);
}
