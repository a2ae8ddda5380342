import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generateCorpus } from "./corpus";
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
