/**
 * The lazily loaded printing module: a label sheet shown in a frame of its own (its document carries the label
 * stylesheet with its `@page` size, so nothing else the app prints changes) and printed from there with print().
 */
import type { BoxLabelRun } from "../../domain/boxLabels";
import { labelSheetHtml } from "./boxLabelSheet";
import cssHref from "./labelSheet.css?url";

export { barcodeFor, LABEL_HEIGHT_MM, LABEL_WIDTH_MM, labelSheetHtml } from "./boxLabelSheet";

export interface LabelSheet {
  frame: HTMLIFrameElement;
  /** Resolves when the frame has its document and stylesheet. */
  ready: Promise<void>;
  print(): Promise<void>;
}

/** Shows the run's labels in a frame inside `container` (replacing what it held), ready to print. */
export function showLabelSheet(
  container: HTMLElement,
  run: BoxLabelRun,
  options: { lang: "zh" | "en"; title: string },
): LabelSheet {
  const frame = document.createElement("iframe");
  frame.className = "label-sheet-frame";
  frame.title = options.title;
  frame.dataset.testid = "label-sheet";
  const ready = new Promise<void>((resolve) => frame.addEventListener("load", () => resolve(), { once: true }));
  // srcdoc: a document of our origin under our policy; its stylesheet is a file of ours (no inline style).
  frame.srcdoc = labelSheetHtml(run, { cssHref, ...options });
  container.replaceChildren(frame);
  return {
    frame,
    ready,
    async print() {
      await ready;
      const view = frame.contentWindow;
      if (!view) return;
      view.focus();
      view.print();
    },
  };
}
