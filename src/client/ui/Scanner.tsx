import { useEffect, useRef, useState } from "react";
import { CameraError, type CameraProblem, type CameraSession, listCameras, openCamera } from "../scan/camera";
import { DecoderBridge } from "../scan/decoderBridge";
import type { EngineName } from "../scan/engines/types";
import { feedback } from "../scan/feedback";
import { startFrameLoop } from "../scan/frameLoop";
import { ReadDiscipline } from "../scan/readDiscipline";
import type { StationOutcome } from "../station/station";
import { BilingualAlert } from "./BilingualAlert";
import { useI18n } from "./i18n";

interface Props {
  /** Called once per accepted scan; the outcome decides the tone. */
  onCode(text: string): Promise<StationOutcome>;
  onClose(): void;
}

type Flash = "ok" | "error" | "repeat" | null;

export function Scanner({ onCode, onClose }: Props) {
  const { t } = useI18n();
  const videoRef = useRef<HTMLVideoElement>(null);
  const discipline = useRef(new ReadDiscipline());
  const onCodeRef = useRef(onCode);
  onCodeRef.current = onCode;
  const [problem, setProblem] = useState<CameraProblem | null>(null);
  const [engine, setEngine] = useState<EngineName | null>(null);
  const [session, setSession] = useState<CameraSession | null>(null);
  const [cameras, setCameras] = useState<MediaDeviceInfo[]>([]);
  const camerasRef = useRef(cameras);
  camerasRef.current = cameras;
  const [cameraIndex, setCameraIndex] = useState<number | null>(null);
  const [torch, setTorch] = useState(false);
  const [flash, setFlash] = useState<Flash>(null);
  const [visible, setVisible] = useState(() => document.visibilityState === "visible");

  // The camera is released whenever the page is hidden (screen locked, app switched) and taken again on return.
  useEffect(() => {
    const onVisibility = () => setVisible(document.visibilityState === "visible");
    document.addEventListener("visibilitychange", onVisibility);
    return () => document.removeEventListener("visibilitychange", onVisibility);
  }, []);

  useEffect(() => {
    if (!visible) return;
    let cancelled = false;
    let camera: CameraSession | null = null;
    let stopLoop: (() => void) | null = null;
    const decoder = new DecoderBridge();
    decoder.ready.then((name) => !cancelled && setEngine(name)).catch(() => {});
    discipline.current.reset();

    (async () => {
      try {
        const deviceId = cameraIndex === null ? undefined : camerasRef.current[cameraIndex]?.deviceId;
        camera = await openCamera(deviceId);
        if (cancelled) {
          camera.stop();
          return;
        }
        setProblem(null);
        setSession(camera);
        void listCameras().then((list) => !cancelled && setCameras(list));
        const video = videoRef.current;
        if (!video) return;
        video.srcObject = camera.stream;
        await video.play().catch(() => {});
        stopLoop = startFrameLoop(video, decoder, async (result) => {
          const verdict = discipline.current.onFrame(result.codes, performance.now());
          if (verdict.kind === "repeat") {
            feedback("repeat");
            setFlash("repeat");
          } else if (verdict.kind === "accept") {
            const outcome = await onCodeRef.current(verdict.text);
            const ok = outcome.ok;
            feedback(ok ? "success" : "error");
            setFlash(ok ? "ok" : "error");
          }
        });
      } catch (error) {
        if (!cancelled) setProblem(error instanceof CameraError ? error.problem : "camera_failed");
      }
    })();

    return () => {
      cancelled = true;
      stopLoop?.();
      camera?.stop();
      decoder.terminate();
      setSession(null);
    };
  }, [visible, cameraIndex]);

  useEffect(() => {
    if (!flash) return;
    const timer = setTimeout(() => setFlash(null), 350);
    return () => clearTimeout(timer);
  }, [flash]);

  return (
    <section className="card scanner" aria-label={t("scanner")} data-testid="scanner" data-engine={engine ?? ""}>
      <div className={`scanner-view${flash ? ` flash-${flash}` : ""}`}>
        <video ref={videoRef} muted playsInline data-testid="scanner-video" />
        <div className="guide-box" aria-hidden="true" />
        {flash === "repeat" && <p className="scanner-cue">{t("alreadyScanned")}</p>}
      </div>
      {problem && <BilingualAlert messageKey={`camera_${problem}`} testId="camera-problem" code={problem} />}
      <div className="row">
        {session?.torchSupported && (
          <button
            type="button"
            aria-pressed={torch}
            onClick={() => {
              const next = !torch;
              void session.setTorch(next).then(() => setTorch(next));
            }}
          >
            {t("torch")}
          </button>
        )}
        {cameras.length > 1 && (
          <button type="button" onClick={() => setCameraIndex(((cameraIndex ?? 0) + 1) % cameras.length)}>
            {t("switchCamera")}
          </button>
        )}
        <button type="button" onClick={onClose}>
          {t("closeScanner")}
        </button>
      </div>
    </section>
  );
}
