/**
 * What the console's and the station's label screens share: reserving a run and showing its labels in the preview
 * element, with the printing module loaded on first use (a dynamic import: bwip-js stays out of every first load),
 * and printing the sheet.
 */
import { useCallback, useRef, useState } from "react";
import type { BoxLabelRun } from "../../domain/boxLabels";
import { MAX_BOX_LABELS } from "../../domain/limits";
import type { LabelSheet } from "./labelSheet";

/** A typed count of labels, or null unless a whole number from 1 to MAX_BOX_LABELS. */
export function parseLabelCount(text: string): number | null {
  const trimmed = text.trim();
  const n = Number(trimmed);
  return /^\d+$/.test(trimmed) && n >= 1 && n <= MAX_BOX_LABELS ? n : null;
}

export const loadPrinting = () => import("./labelSheet");

export function useLabelRun(options: { lang: "zh" | "en"; title: string }) {
  const preview = useRef<HTMLDivElement>(null);
  const [run, setRun] = useState<BoxLabelRun | null>(null);
  const [sheet, setSheet] = useState<LabelSheet | null>(null);
  const [busy, setBusy] = useState(false);
  const { lang, title } = options;

  /** Reserves a run with `reserve` and shows its labels; a refusal is thrown to the caller, nothing shown. */
  const reserveAndShow = useCallback(
    async (reserve: () => Promise<BoxLabelRun>) => {
      setBusy(true);
      setRun(null);
      setSheet(null);
      preview.current?.replaceChildren();
      try {
        const reserved = await reserve();
        setRun(reserved);
        const printing = await loadPrinting();
        if (!preview.current) return;
        const shown = printing.showLabelSheet(preview.current, reserved, { lang, title });
        setSheet(shown);
        await shown.ready;
      } finally {
        setBusy(false);
      }
    },
    [lang, title],
  );

  return { preview, run, busy, canPrint: sheet !== null, print: () => void sheet?.print(), reserveAndShow };
}
