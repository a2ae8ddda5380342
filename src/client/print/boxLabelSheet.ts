/**
 * Box label sheets as print-ready HTML: one 50×30 mm label per page (labelSheet.css: `@page { size: 50mm 30mm;
 * margin: 0 }`), each with the box code as Code 128 (SVG from bwip-js), the code in text, the site (code and name) and
 * the day. Loaded lazily (see useLabelRun.ts): bwip-js never weighs on a screen's first load.
 *
 * The barcode's width: Code 128 needs a quiet zone of 10 modules each side (ISO/IEC 15417), and label printers have an
 * unprintable edge and place labels to about a millimetre, so the bars, their quiet zones and EDGE_MM each side fit
 * in 50 mm. The module is 0.25 mm: 2 dots of a 203 dpi label printer, about 3 of a 300 dpi one. Narrower modules fall
 * between a 203 dpi printer's dots, so bars print a dot too wide or too narrow and the code often no longer scans
 * (measured: 0.19–0.23 mm decode at some placements only), which is why the server's codes are short enough for
 * 0.25 mm (at most 12 symbols: src/domain/boxLabels.ts). A longer code still gets the widest module that fits, down to
 * MIN_MODULE_MM, for 300 dpi printers; boxLabelSheet.test.ts prints and decodes both.
 */
// The encoder itself rather than toSVG(): toSVG looks the symbology up by name, which keeps every one of bwip-js's
// hundred encoders in the bundle; code128() with drawingSVG() is what toSVG({ bcid: "code128" }) runs, tree-shaken.
import { code128, drawingSVG } from "bwip-js/browser";
import type { BoxLabelRun } from "../../domain/boxLabels";

export const LABEL_WIDTH_MM = 50;
export const LABEL_HEIGHT_MM = 30;
export const QUIET_ZONE_MODULES = 10;
/** Blank beyond each quiet zone: the printer's unprintable edge and how far a label may sit off its place. */
export const EDGE_MM = 1.5;
export const PREFERRED_MODULE_MM = 0.25;
export const MIN_MODULE_MM = 0.19;
export const BAR_HEIGHT_MM = 14;

export interface Barcode {
  /** An SVG element's markup, sized in millimetres. */
  svg: string;
  /** Bars and spaces in modules, quiet zones not included. */
  modules: number;
  moduleMm: number;
  widthMm: number;
  /** The blank left each side of the bars, within the label. */
  quietMm: number;
}

const round2 = (mm: number) => Math.floor(mm * 100) / 100;

/** The code as Code 128, sized to fit a label with its quiet zones; throws if it cannot fit. */
export function barcodeFor(code: string, heightMm = BAR_HEIGHT_MM): Barcode {
  // One SVG unit per module: the viewBox's width is the symbol's width in modules.
  const raw = code128({ bcid: "code128", text: code, scale: 1, height: 10, includetext: false }, drawingSVG());
  const viewBox = /viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"/.exec(raw);
  if (!viewBox) throw new Error("bwip-js gave an SVG without a viewBox");
  const modules = Number(viewBox[1]);
  const fitting = round2((LABEL_WIDTH_MM - 2 * EDGE_MM) / (modules + 2 * QUIET_ZONE_MODULES));
  const moduleMm = Math.min(PREFERRED_MODULE_MM, fitting);
  if (moduleMm < MIN_MODULE_MM) throw new Error(`${code} is too long for a ${LABEL_WIDTH_MM} mm label`);
  const widthMm = Math.round(modules * moduleMm * 1000) / 1000;
  const svg = raw.replace(
    /^<svg /,
    `<svg width="${widthMm}mm" height="${heightMm}mm" preserveAspectRatio="none" shape-rendering="crispEdges" aria-hidden="true" focusable="false" `,
  );
  return { svg, modules, moduleMm, widthMm, quietMm: (LABEL_WIDTH_MM - widthMm) / 2 };
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

export interface SheetOptions {
  /** The stylesheet's address (labelSheet.css, served from our origin: the CSP allows no inline style). */
  cssHref: string;
  lang: "zh" | "en";
  title: string;
}

/** One label's markup. */
export function labelHtml(code: string, run: Pick<BoxLabelRun, "site" | "day">): string {
  const barcode = barcodeFor(code);
  return `<section class="box-label" data-code="${escapeHtml(code)}" data-module-mm="${barcode.moduleMm}">
<div class="box-label-head"><b class="box-label-site">${escapeHtml(run.site.code)}</b><span class="box-label-day">${escapeHtml(run.day)}</span></div>
<div class="box-label-name">${escapeHtml(run.site.name)}</div>
<div class="box-label-bars">${barcode.svg}</div>
<div class="box-label-code">${escapeHtml(code)}</div>
</section>`;
}

/** The whole sheet as an HTML document: screen shows the labels one under another, print one per page. */
export function labelSheetHtml(run: BoxLabelRun, options: SheetOptions): string {
  return `<!doctype html>
<html lang="${options.lang === "zh" ? "zh-CN" : "en"}"><head><meta charset="utf-8">
<title>${escapeHtml(options.title)}</title>
<link rel="stylesheet" href="${escapeHtml(options.cssHref)}">
</head><body><main class="sheet" aria-label="${escapeHtml(options.title)}">
${run.codes.map((code) => labelHtml(code, run)).join("\n")}
</main></body></html>`;
}
