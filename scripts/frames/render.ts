/**
 * Renders barcodes into camera-like frames, deterministically from a seed: QR resident codes (qrcode library) and
 * Code 128 tube/box labels (bwip-js), placed with rotation, perspective, blur, noise, low contrast and glare; or any
 * picture (a screenshot of a code as a page shows or prints it) placed and degraded the same way.
 * Used by the scan benchmark's corpus and by the fake-camera videos of the e2e tests.
 */
import bwipjs from "bwip-js";
import QRCode from "qrcode";
import { prng } from "../../src/domain/testEvents";

export interface Frame {
  width: number;
  height: number;
  /** RGBA, like ImageData. */
  data: Uint8ClampedArray;
}

export type CodeSymbology = "qr" | "code128";

/** A 2-D pattern in its own unit square: dark(u, v) for 0 ≤ u, v < 1 (quiet zone included). */
interface Pattern {
  /** Width over height of the printed label. */
  aspect: number;
  /** How dark the label is at (u, v): 0 paper … 1 ink (codes are 0 or 1). */
  ink(u: number, v: number): number;
  /** Modules (QR) or narrow bars (Code 128) across the label, to bound how small it can be drawn. */
  modulesAcross: number;
}

export const mulberry32 = prng;

function qrPattern(text: string): Pattern {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const size = qr.modules.size;
  const quiet = 4;
  const total = size + 2 * quiet;
  return {
    aspect: 1,
    modulesAcross: total,
    ink(u, v) {
      const x = Math.floor(u * total) - quiet;
      const y = Math.floor(v * total) - quiet;
      if (x < 0 || y < 0 || x >= size || y >= size) return 0;
      return qr.modules.data[y * size + x] === 1 ? 1 : 0;
    },
  };
}

function code128Pattern(text: string, heightRatio: number): Pattern {
  const raw = bwipjs.raw("code128", text, {}) as unknown as { sbs: number[] }[];
  const sbs = raw[0]?.sbs ?? [];
  const quiet = 10;
  const modules = sbs.reduce((a, b) => a + b, 0);
  const total = modules + 2 * quiet;
  // Dark spans in module units.
  const bars: [number, number][] = [];
  let x = quiet;
  sbs.forEach((w, i) => {
    if (i % 2 === 0) bars.push([x, x + w]);
    x += w;
  });
  return {
    aspect: 1 / heightRatio,
    modulesAcross: total,
    ink(u, v) {
      if (v < 0.08 || v > 0.92) return 0;
      const m = u * total;
      for (const [a, b] of bars) {
        if (m < a) return 0;
        if (m < b) return 1;
      }
      return 0;
    },
  };
}

/** A picture as the label: its luminance, nearest pixel (the 2×2 supersampling below smooths the edges). */
function imagePattern(image: Frame): Pattern {
  const { width, height, data } = image;
  return {
    aspect: width / height,
    modulesAcross: width,
    ink(u, v) {
      const i = (Math.min(height - 1, Math.floor(v * height)) * width + Math.min(width - 1, Math.floor(u * width))) * 4;
      const luminance = 0.299 * (data[i] as number) + 0.587 * (data[i + 1] as number) + 0.114 * (data[i + 2] as number);
      return 1 - luminance / 255;
    },
  };
}

export interface Placement {
  /** Centre of the label in the frame, as a fraction of width and height. */
  cx: number;
  cy: number;
  /** Label width in pixels. */
  widthPx: number;
  rotationDeg: number;
  /** Corner displacement for perspective, as a fraction of the label width (0 = flat). */
  perspective: number;
}

export interface Degradation {
  blurRadius: number;
  noiseSigma: number;
  /** 1 = black on white; 0.35 = grey on light grey. */
  contrast: number;
  glare: boolean;
  /** Background brightness 0..255 before contrast. */
  background: number;
}

export interface FrameSpec {
  width: number;
  height: number;
  /** `inverted`: light modules on a dark label, as a phone in dark mode shows a code. */
  code: { symbology: CodeSymbology; text: string; heightRatio?: number; inverted?: boolean } | null;
  /** A picture placed as the label instead of a code (placement.widthPx wide, its own proportions); code is ignored. */
  image?: Frame;
  placement: Placement;
  degradation: Degradation;
  seed: number;
}

type Homography = number[]; // 3x3 row-major, maps frame (x, y) → label (u, v)

/** Solves the homography taking the four points src to dst (DLT with 8 unknowns). */
function homography(src: [number, number][], dst: [number, number][]): Homography {
  const a: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = src[i] as [number, number];
    const [u, v] = dst[i] as [number, number];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y]);
    b.push(u);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y]);
    b.push(v);
  }
  // Gaussian elimination.
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++)
      if (Math.abs((a[r] as number[])[c] as number) > Math.abs((a[p] as number[])[c] as number)) p = r;
    [a[c], a[p]] = [a[p] as number[], a[c] as number[]];
    [b[c], b[p]] = [b[p] as number, b[c] as number];
    const rowC = a[c] as number[];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const rowR = a[r] as number[];
      const f = (rowR[c] as number) / (rowC[c] as number);
      for (let k = c; k < 8; k++) rowR[k] = (rowR[k] as number) - f * (rowC[k] as number);
      b[r] = (b[r] as number) - f * (b[c] as number);
    }
  }
  const h = b.map((v, i) => v / ((a[i] as number[])[i] as number));
  return [...h, 1];
}

function labelCorners(spec: FrameSpec, aspect: number, rand: () => number): [number, number][] {
  const { placement: p } = spec;
  const w = p.widthPx;
  const h = w / aspect;
  const cx = p.cx * spec.width;
  const cy = p.cy * spec.height;
  const t = (p.rotationDeg * Math.PI) / 180;
  const corners: [number, number][] = [
    [-w / 2, -h / 2],
    [w / 2, -h / 2],
    [w / 2, h / 2],
    [-w / 2, h / 2],
  ];
  return corners.map(([x, y]) => {
    const jx = (rand() - 0.5) * 2 * p.perspective * w;
    const jy = (rand() - 0.5) * 2 * p.perspective * w;
    return [cx + (x + jx) * Math.cos(t) - (y + jy) * Math.sin(t), cy + (x + jx) * Math.sin(t) + (y + jy) * Math.cos(t)];
  });
}

function boxBlur(gray: Float32Array, width: number, height: number, radius: number): void {
  if (radius <= 0) return;
  const r = Math.round(radius);
  const tmp = new Float32Array(gray.length);
  const n = 2 * r + 1;
  for (let y = 0; y < height; y++) {
    let sum = 0;
    const row = y * width;
    for (let x = -r; x <= r; x++) sum += gray[row + Math.min(width - 1, Math.max(0, x))] as number;
    for (let x = 0; x < width; x++) {
      tmp[row + x] = sum / n;
      sum += (gray[row + Math.min(width - 1, x + r + 1)] as number) - (gray[row + Math.max(0, x - r)] as number);
    }
  }
  for (let x = 0; x < width; x++) {
    let sum = 0;
    for (let y = -r; y <= r; y++) sum += tmp[Math.min(height - 1, Math.max(0, y)) * width + x] as number;
    for (let y = 0; y < height; y++) {
      gray[y * width + x] = sum / n;
      sum +=
        (tmp[Math.min(height - 1, y + r + 1) * width + x] as number) - (tmp[Math.max(0, y - r) * width + x] as number);
    }
  }
}

/** Renders one frame. Deterministic: the same spec always gives the same pixels. */
export function renderFrame(spec: FrameSpec): Frame {
  const rand = mulberry32(spec.seed);
  const { width, height, degradation: d } = spec;
  const gray = new Float32Array(width * height);

  // Background: paper with a soft lighting gradient and some clutter (lines and blocks, like a desk or a sleeve).
  const gx = (rand() - 0.5) * 60;
  const gy = (rand() - 0.5) * 60;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      gray[y * width + x] = d.background + (gx * x) / width + (gy * y) / height;
    }
  }
  const clutter = 3 + Math.floor(rand() * 5);
  for (let i = 0; i < clutter; i++) {
    const x0 = Math.floor(rand() * width);
    const y0 = Math.floor(rand() * height);
    const w = Math.floor(rand() * width * 0.3) + 4;
    const h = Math.floor(rand() * 6) + 2;
    const shade = 40 + rand() * 120;
    const vertical = rand() < 0.5;
    for (let y = y0; y < Math.min(height, y0 + (vertical ? w : h)); y++) {
      for (let x = x0; x < Math.min(width, x0 + (vertical ? h : w)); x++) gray[y * width + x] = shade;
    }
  }

  const label = spec.image ?? spec.code;
  if (label) {
    const pattern =
      "data" in label
        ? imagePattern(label)
        : label.symbology === "qr"
          ? qrPattern(label.text)
          : code128Pattern(label.text, label.heightRatio ?? 0.3);
    const corners = labelCorners(spec, pattern.aspect, rand);
    const h = homography(corners, [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ]);
    const xs = corners.map((c) => c[0]);
    const ys = corners.map((c) => c[1]);
    const x0 = Math.max(0, Math.floor(Math.min(...xs)));
    const x1 = Math.min(width - 1, Math.ceil(Math.max(...xs)));
    const y0 = Math.max(0, Math.floor(Math.min(...ys)));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys)));
    const inverted = "data" in label ? false : label.inverted === true;
    const paper = inverted ? 20 : 245;
    const ink = inverted ? 245 : 20;
    const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = h as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        // 2×2 supersampling for anti-aliased edges.
        let inside = 0;
        let darkCount = 0;
        for (const [ox, oy] of [
          [0.25, 0.25],
          [0.75, 0.25],
          [0.25, 0.75],
          [0.75, 0.75],
        ] as const) {
          const px = x + ox;
          const py = y + oy;
          const wq = h6 * px + h7 * py + h8;
          const u = (h0 * px + h1 * py + h2) / wq;
          const v = (h3 * px + h4 * py + h5) / wq;
          if (u < 0 || u >= 1 || v < 0 || v >= 1) continue;
          inside++;
          darkCount += pattern.ink(u, v);
        }
        if (inside === 0) continue;
        const label = (paper * (inside - darkCount) + ink * darkCount) / inside;
        const i = y * width + x;
        gray[i] = ((gray[i] as number) * (4 - inside) + label * inside) / 4;
      }
    }
  }

  boxBlur(gray, width, height, d.blurRadius);

  // Low contrast: squeeze the range around mid-grey, then glare and sensor noise.
  const glareX = rand() * width;
  const glareY = rand() * height;
  const glareR = (0.15 + rand() * 0.2) * Math.min(width, height);
  const out = new Uint8ClampedArray(width * height * 4);
  let spare: number | null = null;
  const gauss = () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = rand() || 1e-9;
    const v = rand();
    const m = Math.sqrt(-2 * Math.log(u));
    spare = m * Math.sin(2 * Math.PI * v);
    return m * Math.cos(2 * Math.PI * v);
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      let g = 128 + ((gray[i] as number) - 128) * d.contrast;
      if (d.glare) {
        const dist = Math.hypot(x - glareX, y - glareY) / glareR;
        if (dist < 1) g += (1 - dist * dist) * 90;
      }
      if (d.noiseSigma > 0) g += gauss() * d.noiseSigma;
      const o = i * 4;
      // A faint colour cast, as camera frames have.
      out[o] = g + 6;
      out[o + 1] = g;
      out[o + 2] = g - 6;
      out[o + 3] = 255;
    }
  }
  return { width, height, data: out };
}

/** Modules (QR, quiet zone included) or narrow-bar widths (Code 128, quiet zones included) across the label. */
export function modulesAcross(symbology: CodeSymbology, text: string): number {
  return symbology === "qr" ? qrPattern(text).modulesAcross : code128Pattern(text, 0.3).modulesAcross;
}

/** The smallest label width (px) at which a code stays physically readable: ~2.4 px per QR module, 1.5 px per bar. */
export function minimumWidthPx(symbology: CodeSymbology, text: string): number {
  if (symbology === "qr") return qrPattern(text).modulesAcross * 2.4;
  return code128Pattern(text, 0.3).modulesAcross * 1.5;
}
