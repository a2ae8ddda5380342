/** Fake-camera helpers: render codes into a Y4M video and launch Chromium with it as the camera. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, chromium, type TestInfo } from "@playwright/test";
import { PNG } from "pngjs";
import { type Frame, type FrameSpec, renderFrame } from "../scripts/frames/render";
import { writeY4m } from "../scripts/frames/y4m";

const WIDTH = 640;
const HEIGHT = 480;
const FPS = 10;

function spec(code: FrameSpec["code"], seed: number): FrameSpec {
  return {
    width: WIDTH,
    height: HEIGHT,
    code,
    placement: {
      cx: 0.5,
      cy: 0.5,
      widthPx: code?.symbology === "code128" ? 440 : 260,
      rotationDeg: 4,
      perspective: 0.02,
    },
    degradation: { blurRadius: 0, noiseSigma: 4, contrast: 0.9, glare: false, background: 150 },
    seed,
  };
}

export interface Shot {
  /** The code to render; ignored when `image` is given. */
  text: string | null;
  /** A screenshot (PNG) of a code as a page shows or prints it, placed `widthPx` wide (default 300) instead. */
  image?: Buffer;
  widthPx?: number;
  symbology?: "qr" | "code128";
  /** Light modules on a dark label, as a phone in dark mode shows its code. */
  inverted?: boolean;
  seconds: number;
}

/** A PNG's pixels as a frame (RGBA). */
function pngFrame(png: Buffer): Frame {
  const { width, height, data } = PNG.sync.read(png);
  return { width, height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

function shotSpec(shot: Shot, seed: number): FrameSpec {
  if (shot.image) {
    const base = spec(null, seed);
    return { ...base, image: pngFrame(shot.image), placement: { ...base.placement, widthPx: shot.widthPx ?? 300 } };
  }
  return spec(
    shot.text
      ? { symbology: shot.symbology ?? "qr", text: shot.text, ...(shot.inverted ? { inverted: true } : {}) }
      : null,
    seed,
  );
}

/** Writes a video showing each shot in turn (null text and no image = a frame with no code). */
export function makeVideo(shots: Shot[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "samplepoint-cam-")), "camera.y4m");
  writeY4m(
    file,
    shots.map((shot, i) => ({
      frame: renderFrame(shotSpec(shot, i + 1)),
      repeat: Math.max(1, Math.round(shot.seconds * FPS)),
    })),
    FPS,
  );
  return file;
}

/** A browser whose camera plays `videoFile`; permission is granted unless `denyCamera`. */
export async function launchWithCamera(testInfo: TestInfo, videoFile: string, denyCamera = false): Promise<Browser> {
  const launchOptions = testInfo.project.use.launchOptions ?? {};
  return chromium.launch({
    ...launchOptions,
    args: [
      ...(launchOptions.args ?? []),
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-video-capture=${videoFile}`,
      ...(denyCamera ? ["--deny-permission-prompts"] : ["--use-fake-ui-for-media-stream"]),
    ],
  });
}

/** Records every camera track the page opens, so a test can check they were stopped. */
export const TRACK_RECORDER = `
  (() => {
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    window.__cameraTracks = [];
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await original(constraints);
      window.__cameraTracks.push(...stream.getVideoTracks());
      return stream;
    };
  })();
`;
