import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generateCorpus, INVERTED_SHARE } from "./corpus";
import { renderFrame } from "./render";
import { writeY4m } from "./y4m";

const hash = (data: Uint8ClampedArray) => createHash("sha256").update(data).digest("hex");

describe("frame corpus", () => {
  it("is deterministic for a seed and different for another", () => {
    const a = generateCorpus(5, 4);
    const b = generateCorpus(5, 4);
    expect(a.map((e) => e.text)).toEqual(b.map((e) => e.text));
    expect(hash(renderFrame((a[1] as (typeof a)[number]).spec).data)).toBe(
      hash(renderFrame((b[1] as (typeof b)[number]).spec).data),
    );
    expect(generateCorpus(6, 4).map((e) => e.text)).not.toEqual(a.map((e) => e.text));
  });

  it("holds every kind of frame at both resolutions", () => {
    const corpus = generateCorpus(20210801, 60);
    expect(new Set(corpus.map((e) => `${e.spec.width}x${e.spec.height}`))).toEqual(new Set(["640x480", "1280x720"]));
    expect(corpus.some((e) => e.text === null)).toBe(true);
    expect(corpus.some((e) => e.text?.startsWith("SP1|"))).toBe(true);
    expect(corpus.some((e) => e.text?.startsWith("YT"))).toBe(true);
    expect(corpus.some((e) => e.text?.startsWith("BOX-"))).toBe(true);
    expect(Math.max(...corpus.map((e) => Math.abs(e.spec.placement.rotationDeg)))).toBeGreaterThan(25);
    const inverted = corpus.filter((e) => e.spec.code?.inverted);
    expect(inverted.length).toBe(2 * Math.ceil(60 * INVERTED_SHARE));
    expect(inverted.every((e) => e.spec.code?.symbology === "qr" && e.text?.startsWith("SP1|"))).toBe(true);
  });

  it("appends the inverted frames after the ordinary ones", () => {
    const corpus = generateCorpus(7, 20);
    const ordinary = corpus.filter((e) => !e.spec.code?.inverted);
    expect(ordinary.map((e) => e.name)).toEqual(corpus.slice(0, 40).map((e) => e.name));
    // The first frames of a larger corpus are the frames of a smaller one with the same seed.
    expect(generateCorpus(7, 30).slice(0, 20)).toEqual(corpus.slice(0, 20));
  });

  it("renders an inverted code light on a dark label", () => {
    const spec = (inverted: boolean) => ({
      width: 200,
      height: 200,
      code: { symbology: "qr" as const, text: "SP1|张三|ID|11010519491231002X", inverted },
      placement: { cx: 0.5, cy: 0.5, widthPx: 180, rotationDeg: 0, perspective: 0 },
      degradation: { blurRadius: 0, noiseSigma: 0, contrast: 1, glare: false, background: 128 },
      seed: 3,
    });
    // The quiet zone just inside the label's corner: paper white normally, dark when inverted.
    const cornerGreen = (inverted: boolean) => renderFrame(spec(inverted)).data[(15 * 200 + 15) * 4 + 1] as number;
    expect(cornerGreen(false)).toBeGreaterThan(200);
    expect(cornerGreen(true)).toBeLessThan(50);
  });
});

describe("a picture as the label", () => {
  it("is placed with its own proportions and passes through the same degradation", () => {
    // 40×20: the left half black, the right half white.
    const data = new Uint8ClampedArray(40 * 20 * 4);
    for (let y = 0; y < 20; y++) {
      for (let x = 0; x < 40; x++) data.fill(x < 20 ? 0 : 255, (y * 40 + x) * 4, (y * 40 + x) * 4 + 3);
    }
    for (let i = 3; i < data.length; i += 4) data[i] = 255;
    const frame = (contrast: number) =>
      renderFrame({
        width: 200,
        height: 200,
        code: null,
        image: { width: 40, height: 20, data },
        placement: { cx: 0.5, cy: 0.5, widthPx: 160, rotationDeg: 0, perspective: 0 },
        degradation: { blurRadius: 0, noiseSigma: 0, contrast, glare: false, background: 128 },
        seed: 3,
      });
    const green = (f: ReturnType<typeof frame>, x: number, y: number) => f.data[(y * 200 + x) * 4 + 1] as number;
    const sharp = frame(1);
    // 160 px wide, so 80 px high: the picture spans x 20–180, y 60–140.
    expect(green(sharp, 60, 100)).toBeLessThan(40);
    expect(green(sharp, 140, 100)).toBeGreaterThan(220);
    expect([green(sharp, 140, 50), green(sharp, 140, 150)].every((g) => g > 40 && g < 220)).toBe(true);
    // Low contrast squeezes the picture's range as it does a code's.
    const dull = frame(0.4);
    expect(green(dull, 140, 100) - green(dull, 60, 100)).toBeLessThan(
      0.5 * (green(sharp, 140, 100) - green(sharp, 60, 100)),
    );
  });
});

describe("y4m writer", () => {
  it("writes a YUV4MPEG2 I420 header and one FRAME block per shown frame", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "y4m-")), "t.y4m");
    const frame = renderFrame(generateCorpus(1, 1)[0]?.spec as never);
    writeY4m(file, [{ frame, repeat: 3 }], 10);
    const bytes = readFileSync(file);
    const header = "YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n";
    expect(bytes.subarray(0, header.length).toString()).toBe(header);
    expect(bytes.length).toBe(header.length + 3 * ("FRAME\n".length + (640 * 480 * 3) / 2));
  });
});
