// Box labels: the Code 128 fits 50 mm with its quiet zones, and still decodes when printed on a label printer
// (bars snapped to 203 and 300 dpi dots), read by the station's own decoder (zxing-wasm).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { boxLabelCode, READABLE_PREFIX_MAX } from "../../domain/boxLabels";
import { createScanClassifier } from "../../domain/scanCodes";
import { createZxingWasmEngine } from "../scan/engines/zxingWasm";
import {
  barcodeFor,
  EDGE_MM,
  LABEL_WIDTH_MM,
  labelSheetHtml,
  MIN_MODULE_MM,
  PREFERRED_MODULE_MM,
  QUIET_ZONE_MODULES,
} from "./boxLabelSheet";

const wasm = readFileSync(new URL("../../../node_modules/zxing-wasm/dist/reader/zxing_reader.wasm", import.meta.url));
const engine = createZxingWasmEngine({ binary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) });

/** The bars of bwip-js's SVG (vertical strokes), as [left, right] in modules. */
function barsOf(svg: string): [number, number][] {
  const bars: [number, number][] = [];
  for (const path of svg.matchAll(/stroke-width="([\d.]+)" d="([^"]+)"/g)) {
    const width = Number(path[1]);
    for (const move of (path[2] as string).matchAll(/M([\d.]+) /g)) {
      const x = Number(move[1]);
      bars.push([x - width / 2, x + width / 2]);
    }
  }
  return bars;
}

/**
 * The label's width as a printer at `dpi` prints it: each dot black when a bar covers at least half of it (a thermal
 * head has no grey), in a white frame of the label's width, 3 mm of bars high.
 */
function printed(svg: string, moduleMm: number, dpi: number, phase = 0) {
  const dotsPerMm = dpi / 25.4;
  const width = Math.round(LABEL_WIDTH_MM * dotsPerMm);
  const height = Math.round(8 * dotsPerMm);
  const bars = barsOf(svg);
  const symbolMm = Math.max(...bars.map((b) => b[1])) * moduleMm;
  // Where the label sits under the head, to a fraction of a dot.
  const left = (LABEL_WIDTH_MM - symbolMm) / 2 + phase / dotsPerMm;
  const row = new Uint8Array(width).fill(255);
  for (let x = 0; x < width; x++) {
    const from = x / dotsPerMm - left;
    const to = (x + 1) / dotsPerMm - left;
    let covered = 0;
    for (const [a, b] of bars) covered += Math.max(0, Math.min(to, b * moduleMm) - Math.max(from, a * moduleMm));
    if (covered >= (to - from) / 2) row[x] = 0;
  }
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const v = y < 4 || y >= height - 4 ? 255 : (row[x] as number);
      data.set([v, v, v, 255], i);
    }
  }
  return { width, height, data };
}

/** The longest codes the server gives out: a 4-character prefix and a 6-digit number. */
const LONGEST = boxLabelCode("A".repeat(READABLE_PREFIX_MAX), 999_999);

describe("box label barcode", () => {
  it("uses 0.25 mm modules for a usual code, with quiet zones and the edge inside 50 mm", () => {
    const barcode = barcodeFor("BOXZF01-0001");
    expect(barcode.moduleMm).toBe(PREFERRED_MODULE_MM);
    expect(barcode.modules).toBe(156);
    expect(barcode.widthMm).toBeCloseTo(39, 5);
    expect(barcode.quietMm).toBeGreaterThanOrEqual(QUIET_ZONE_MODULES * barcode.moduleMm + EDGE_MM);
    expect(barcode.svg).toMatch(/^<svg width="39mm" height="14mm" preserveAspectRatio="none"/);
  });

  it("fits the longest codes the server gives out at 0.25 mm, and longer ones at no less than the smallest module", () => {
    expect(LONGEST).toBe("BOXAAAA-999999");
    for (const code of [LONGEST, "BOX-K3M-999999", "BOX-K3M-12345", "BOX1234-567890"]) {
      expect(createScanClassifier().classify(code).kind).toBe("box");
      const barcode = barcodeFor(code);
      expect(barcode.moduleMm, code).toBe(PREFERRED_MODULE_MM);
      expect(barcode.quietMm).toBeGreaterThanOrEqual(QUIET_ZONE_MODULES * barcode.moduleMm + EDGE_MM);
    }
    const longer = barcodeFor("BOXZHIFU01-0001");
    expect(longer.moduleMm).toBeGreaterThanOrEqual(MIN_MODULE_MM);
    expect(longer.moduleMm).toBeLessThan(PREFERRED_MODULE_MM);
    expect(longer.quietMm).toBeGreaterThanOrEqual(QUIET_ZONE_MODULES * longer.moduleMm + EDGE_MM);
    expect(() => barcodeFor("BOXABCDEFGHIJKLMNOPQRST-99999")).toThrow(/too long/);
  });

  // Wherever the label sits under the print head (a quarter dot apart).
  for (const code of ["BOXZF01-0001", "BOXDEMO-0042", "BOX-K3M-0007", LONGEST]) {
    for (const dpi of [203, 300]) {
      it(`decodes ${code} printed at ${dpi} dpi`, async () => {
        const barcode = barcodeFor(code);
        for (const phase of [0, 0.25, 0.5, 0.75]) {
          const found = await engine.decode(printed(barcode.svg, barcode.moduleMm, dpi, phase));
          expect(
            found.map((c) => [c.text, c.format]),
            `phase ${phase}`,
          ).toEqual([[code, "Code128"]]);
        }
      });
    }
  }

  it("decodes a longer code at 300 dpi with narrower modules", async () => {
    const barcode = barcodeFor("BOXZHIFU01-0001");
    for (const phase of [0, 0.25, 0.5, 0.75]) {
      const found = await engine.decode(printed(barcode.svg, barcode.moduleMm, 300, phase));
      expect(
        found.map((c) => c.text),
        `phase ${phase}`,
      ).toEqual(["BOXZHIFU01-0001"]);
    }
  });

  it("writes a sheet with one label per code, the site and the day, escaping what staff typed", () => {
    const html = labelSheetHtml(
      {
        codes: ["BOXZF01-0001", "BOXZF01-0002"],
        site: { code: "ZF01", name: `毓璜顶<一号>点 & "新"` },
        day: "2026-05-04",
      },
      { cssHref: "/assets/labelSheet.css", lang: "zh", title: "箱签" },
    );
    expect(html.match(/class="box-label"/g)).toHaveLength(2);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<link rel="stylesheet" href="/assets/labelSheet.css">');
    expect(html).toContain('<b class="box-label-site">ZF01</b>');
    expect(html).toContain('<div class="box-label-name">毓璜顶&lt;一号&gt;点 &amp; &quot;新&quot;</div>');
    expect(html).toContain('<div class="box-label-code">BOXZF01-0002</div>');
    expect(html).toContain('<span class="box-label-day">2026-05-04</span>');
    expect(html).not.toMatch(/<style|style="/);
  });
});
