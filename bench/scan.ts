/**
 * npm run bench:scan — decoders over the seeded corpus (or --corpus DIR of PNGs + manifest.json).
 * Prints per engine and resolution: frames, correct, wrong decodes, false positives, success rate, p50/p95 ms, and the
 * ratio to @zxing/library, and one more line for the light-on-dark (inverted) QR frames alone. --json prints one JSON
 * object per engine and resolution per line. --small: 10 frames per resolution (the CI smoke run; --frames wins).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { PNG } from "pngjs";
import { generateCorpus } from "../scripts/frames/corpus";
import { type Frame, renderFrame } from "../scripts/frames/render";
import type { DecoderEngine } from "../src/client/scan/engines/types";
import { createZxingJsEngine } from "../src/client/scan/engines/zxingJs";
import { createZxingWasmEngine } from "../src/client/scan/engines/zxingWasm";

const { values: args } = parseArgs({
  options: {
    corpus: { type: "string" },
    "write-corpus": { type: "string" },
    json: { type: "boolean", default: false },
    seed: { type: "string", default: "20210801" },
    frames: { type: "string" },
    small: { type: "boolean", default: false },
  },
});

interface Item {
  resolution: string;
  text: string | null;
  frame: Frame;
  /** A light-on-dark code (phone in dark mode). */
  inverted: boolean;
}

function loadCorpus(dir: string): Item[] {
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as {
    file: string;
    text: string | null;
    inverted?: boolean;
  }[];
  return manifest.map(({ file, text, inverted }) => {
    const png = PNG.sync.read(readFileSync(path.join(dir, file)));
    return {
      resolution: `${png.width}x${png.height}`,
      text,
      frame: { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data) },
      inverted: inverted === true,
    };
  });
}

function generate(seed: number, perResolution: number): Item[] {
  return generateCorpus(seed, perResolution).map((entry) => ({
    resolution: `${entry.spec.width}x${entry.spec.height}`,
    text: entry.text,
    frame: renderFrame(entry.spec),
    inverted: entry.spec.code?.inverted === true,
  }));
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

interface Row {
  engine: string;
  resolution: string;
  frames: number;
  correct: number;
  wrong: number;
  falsePositives: number;
  successRate: number;
  p50Ms: number;
  p95Ms: number;
}

async function measure(engine: DecoderEngine, items: Item[], resolution: string): Promise<Row> {
  const times: number[] = [];
  let correct = 0;
  let wrong = 0;
  let falsePositives = 0;
  let withCode = 0;
  for (const item of items) {
    const start = performance.now();
    const found = await engine.decode(item.frame);
    times.push(performance.now() - start);
    if (item.text === null) {
      if (found.length > 0) falsePositives++;
      continue;
    }
    withCode++;
    if (found.some((f) => f.text === item.text)) correct++;
    else if (found.length > 0) wrong++;
  }
  times.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    engine: engine.name,
    resolution,
    frames: items.length,
    correct,
    wrong,
    falsePositives,
    successRate: withCode === 0 ? 1 : round(correct / withCode),
    p50Ms: round(percentile(times, 0.5)),
    p95Ms: round(percentile(times, 0.95)),
  };
}

async function main() {
  const items = args.corpus
    ? loadCorpus(args.corpus)
    : generate(Number(args.seed), Number(args.frames ?? (args.small ? 10 : 120)));
  if (args["write-corpus"]) {
    const dir = args["write-corpus"];
    mkdirSync(dir, { recursive: true });
    const manifest = items.map((item, i) => {
      const file = `${item.resolution}-${String(i).padStart(4, "0")}.png`;
      const png = new PNG({ width: item.frame.width, height: item.frame.height });
      png.data = Buffer.from(item.frame.data);
      writeFileSync(path.join(dir, file), PNG.sync.write(png));
      return { file, text: item.text, ...(item.inverted ? { inverted: true } : {}) };
    });
    writeFileSync(path.join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 1)}\n`);
    console.error(`wrote ${manifest.length} frames to ${dir}`);
  }

  const wasmFile = readFileSync(new URL("../node_modules/zxing-wasm/dist/reader/zxing_reader.wasm", import.meta.url));
  const engines: DecoderEngine[] = [
    createZxingWasmEngine({
      binary: wasmFile.buffer.slice(wasmFile.byteOffset, wasmFile.byteOffset + wasmFile.byteLength),
    }),
    createZxingJsEngine(),
  ];
  // Warm up (wasm compile, JIT) on a few frames before timing.
  for (const engine of engines) for (const item of items.slice(0, 5)) await engine.decode(item.frame);

  const resolutions = [...new Set(items.map((i) => i.resolution))];
  const rows: Row[] = [];
  for (const engine of engines) {
    for (const resolution of resolutions)
      rows.push(
        await measure(
          engine,
          items.filter((i) => i.resolution === resolution),
          resolution,
        ),
      );
    if (resolutions.length > 1) rows.push(await measure(engine, items, "all"));
    const inverted = items.filter((i) => i.inverted);
    if (inverted.length > 0) rows.push(await measure(engine, inverted, "inverted"));
  }

  if (args.json) {
    for (const row of rows) console.log(JSON.stringify(row));
    return;
  }
  const baseline = (resolution: string) => rows.find((r) => r.engine === "zxing-js" && r.resolution === resolution);
  console.log(`scan bench — ${items.length} frames, node ${process.version}, ${process.arch}`);
  console.log("engine      resolution  frames correct wrong falsePos success  p50 ms  p95 ms  p50 vs zxing-js");
  for (const r of rows) {
    const base = baseline(r.resolution);
    const ratio = base && r.p50Ms > 0 ? `${(base.p50Ms / r.p50Ms).toFixed(1)}× faster` : "";
    console.log(
      `${r.engine.padEnd(11)} ${r.resolution.padEnd(11)} ${String(r.frames).padStart(6)} ${String(r.correct).padStart(7)} ${String(r.wrong).padStart(5)} ${String(r.falsePositives).padStart(8)} ${(r.successRate * 100).toFixed(1).padStart(6)}% ${r.p50Ms.toFixed(2).padStart(7)} ${r.p95Ms.toFixed(2).padStart(7)}  ${r.engine === "zxing-js" ? "1.0×" : ratio}`,
    );
  }
}

await main();
