/**
 * The scan corpus: a seeded, deterministic list of frames — resident QR codes, tube and box Code 128 labels, and empty
 * frames — with every degradation the field brings (noise, blur, rotation ±30°, perspective, low contrast, glare,
 * small and large codes), plus resident QR codes shown light-on-dark (dark mode). `npm run bench:scan -- --write-corpus DIR` saves it as PNG files plus manifest.json.
 */
import { idCheckCharacter } from "../../src/domain/documents";
import { encodeResidentCode } from "../../src/domain/residentCode";
import { type FrameSpec, minimumWidthPx, modulesAcross, mulberry32 } from "./render";

export interface CorpusEntry {
  name: string;
  spec: FrameSpec;
  /** The text a decoder must return; null for frames with no code. */
  text: string | null;
}

const NAMES = [
  "张三",
  "李四",
  "王小明",
  "𠮷田",
  "阿依古丽·买买提",
  "欧阳娜娜",
  "陈大文",
  "JOHN SMITH",
  "林美",
  "赵丽颖",
];
const COMMUNITIES = ["", "幸福里社区", "芝罘区向阳街道", "莱山区3号楼", ""];

export function randomResidentId(rand: () => number): string {
  const regions = ["370602", "370613", "110105", "440305", "320102"];
  const region = regions[Math.floor(rand() * regions.length)] as string;
  const year = 1930 + Math.floor(rand() * 90);
  const month = 1 + Math.floor(rand() * 12);
  const day = 1 + Math.floor(rand() * 28);
  const seq = String(Math.floor(rand() * 1000)).padStart(3, "0");
  const first17 = `${region}${year}${String(month).padStart(2, "0")}${String(day).padStart(2, "0")}${seq}`;
  return first17 + idCheckCharacter(first17);
}

export function randomResidentCode(rand: () => number): string {
  const phone =
    rand() < 0.7 ? `1${3 + Math.floor(rand() * 7)}${String(Math.floor(rand() * 1e9)).padStart(9, "0")}` : "";
  const encoded = encodeResidentCode({
    name: NAMES[Math.floor(rand() * NAMES.length)] as string,
    docType: "ID",
    docNumber: randomResidentId(rand),
    ...(phone ? { phone } : {}),
    community: COMMUNITIES[Math.floor(rand() * COMMUNITIES.length)] as string,
  });
  if (!encoded.ok) throw new Error(`corpus resident code: ${JSON.stringify(encoded.error)}`);
  return encoded.value;
}

export const randomTubeCode = (rand: () => number): string =>
  `YT${String(Math.floor(rand() * 1e10)).padStart(10, "0")}`;
export const randomBoxCode = (rand: () => number): string => `BOX-${String(Math.floor(rand() * 1e6)).padStart(6, "0")}`;

export const RESOLUTIONS = [
  { label: "640x480", width: 640, height: 480 },
  { label: "1280x720", width: 1280, height: 720 },
] as const;

const between = (rand: () => number, a: number, b: number) => a + rand() * (b - a);

/** The share of inverted QR frames added per resolution, on top of the `perResolution` ordinary frames. */
export const INVERTED_SHARE = 0.25;

/** Places a code (or none) at a random size, tilt and position, with random noise, blur, contrast and glare. */
function randomSpec(
  rand: () => number,
  res: (typeof RESOLUTIONS)[number],
  code: FrameSpec["code"],
  rotationDeg: number,
  small: boolean,
): FrameSpec {
  const short = Math.min(res.width, res.height);
  let widthPx = 0;
  if (code) {
    // A row scanner reads a tilted 1-D label only if one straight line crosses every bar: label height must exceed
    // width × tan(tilt). Labels here are printed tall enough for the tilt they are shown at.
    if (code.symbology === "code128")
      code.heightRatio = Math.max(0.3, Math.tan((Math.abs(rotationDeg) * Math.PI) / 180) + 0.3);
    const min = minimumWidthPx(code.symbology, code.text);
    const max = code.symbology === "qr" ? short * 0.8 : res.width * 0.8;
    const lo = Math.min(min, max);
    widthPx = small ? between(rand, lo, lo + (max - lo) * 0.2) : between(rand, lo + (max - lo) * 0.4, max);
  }
  const modulePx = code ? widthPx / modulesAcross(code.symbology, code.text) : 4;
  return {
    width: res.width,
    height: res.height,
    code,
    placement: {
      cx: between(rand, 0.42, 0.58),
      cy: between(rand, 0.42, 0.58),
      widthPx,
      rotationDeg,
      perspective: between(rand, 0, 0.06),
    },
    degradation: {
      // A box blur no wider than one module (QR module or narrowest bar): beyond that nothing is left to read.
      blurRadius: Math.min(Math.floor(rand() * 3), Math.max(0, Math.floor((modulePx - 1) / 2))),
      noiseSigma: between(rand, 0, 22),
      contrast: between(rand, 0.4, 1),
      glare: rand() < 0.3,
      background: between(rand, 70, 200),
    },
    seed: Math.floor(rand() * 2 ** 31),
  };
}

/**
 * `perResolution` ordinary frames per resolution, then ⌈perResolution × INVERTED_SHARE⌉ resident QR codes shown
 * light-on-dark (a phone in dark mode) with the same variety. The inverted frames come from their own random stream,
 * so the ordinary frames stay the same as before they were added.
 */
export function generateCorpus(seed: number, perResolution: number): CorpusEntry[] {
  const rand = mulberry32(seed);
  const entries: CorpusEntry[] = [];
  for (const res of RESOLUTIONS) {
    for (let i = 0; i < perResolution; i++) {
      const kind = rand();
      const rotationDeg = between(rand, -30, 30);
      const small = rand() < 0.35;
      let code: FrameSpec["code"] = null;
      if (kind < 0.45) code = { symbology: "qr", text: randomResidentCode(rand) };
      else if (kind < 0.75) code = { symbology: "code128", text: randomTubeCode(rand) };
      else if (kind < 0.9) code = { symbology: "code128", text: randomBoxCode(rand) };
      const spec = randomSpec(rand, res, code, rotationDeg, small);
      entries.push({ name: `${res.label}-${String(i).padStart(4, "0")}`, spec, text: code?.text ?? null });
    }
  }
  const invertedRand = mulberry32(seed ^ 0x5eed1);
  for (const res of RESOLUTIONS) {
    for (let i = 0; i < Math.ceil(perResolution * INVERTED_SHARE); i++) {
      const rotationDeg = between(invertedRand, -30, 30);
      const small = invertedRand() < 0.35;
      const code = { symbology: "qr" as const, text: randomResidentCode(invertedRand), inverted: true };
      const spec = randomSpec(invertedRand, res, code, rotationDeg, small);
      entries.push({ name: `${res.label}-inverted-${String(i).padStart(4, "0")}`, spec, text: code.text });
    }
  }
  return entries;
}
