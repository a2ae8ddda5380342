/**
 * Scan feedback: tones made with WebAudio (no sound files), vibration where supported (spoken cues: voice.ts).
 * Every part is best-effort: a browser without one of them simply stays quiet.
 */
export type Tone = "success" | "error" | "repeat";

let audio: AudioContext | null = null;

function context(): AudioContext | null {
  try {
    audio ??= new AudioContext();
    if (audio.state === "suspended") void audio.resume();
    return audio;
  } catch {
    return null;
  }
}

const TONES: Record<Tone, { freqs: number[]; ms: number; type: OscillatorType }> = {
  success: { freqs: [1760], ms: 90, type: "sine" },
  error: { freqs: [330, 220], ms: 180, type: "square" },
  repeat: { freqs: [880], ms: 40, type: "sine" },
};

export function playTone(tone: Tone): void {
  const ctx = context();
  if (!ctx) return;
  const { freqs, ms, type } = TONES[tone];
  let at = ctx.currentTime;
  for (const freq of freqs) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = type;
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(tone === "repeat" ? 0.05 : 0.2, at);
    gain.gain.exponentialRampToValueAtTime(0.001, at + ms / 1000);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + ms / 1000);
    at += ms / 1000;
  }
}

export function vibrate(tone: Tone): void {
  if (typeof navigator.vibrate !== "function") return;
  navigator.vibrate(tone === "error" ? [80, 60, 80] : tone === "success" ? 40 : 10);
}

export function feedback(tone: Tone): void {
  playTone(tone);
  vibrate(tone);
}
