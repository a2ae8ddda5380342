/**
 * Camera control: rear camera by default at an ideal 1280×720, continuous focus and torch where the track supports
 * them, switching between cameras, and failures named so the screen can say how to fix them.
 */
export type CameraProblem =
  | "insecure_context"
  | "no_camera_api"
  | "permission_denied"
  | "no_camera"
  | "camera_busy"
  | "camera_failed";

export class CameraError extends Error {
  constructor(
    readonly problem: CameraProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface CameraSession {
  stream: MediaStream;
  track: MediaStreamTrack;
  torchSupported: boolean;
  setTorch(on: boolean): Promise<void>;
  stop(): void;
}

interface ExtendedCapabilities extends MediaTrackCapabilities {
  torch?: boolean;
  focusMode?: string[];
}

export async function listCameras(): Promise<MediaDeviceInfo[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "videoinput");
}

export async function openCamera(deviceId?: string): Promise<CameraSession> {
  if (!window.isSecureContext) throw new CameraError("insecure_context", "The camera needs HTTPS (or localhost).");
  if (!navigator.mediaDevices?.getUserMedia) throw new CameraError("no_camera_api", "This browser has no camera API.");
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: {
        ...(deviceId ? { deviceId: { exact: deviceId } } : { facingMode: { ideal: "environment" } }),
        width: { ideal: 1280 },
        height: { ideal: 720 },
      },
    });
  } catch (error) {
    const name = error instanceof DOMException ? error.name : "";
    const message = error instanceof Error ? error.message : String(error);
    if (name === "NotAllowedError" || name === "SecurityError") throw new CameraError("permission_denied", message);
    if (name === "NotFoundError" || name === "OverconstrainedError") throw new CameraError("no_camera", message);
    if (name === "NotReadableError" || name === "AbortError") throw new CameraError("camera_busy", message);
    throw new CameraError("camera_failed", message);
  }
  const track = stream.getVideoTracks()[0];
  if (!track) {
    for (const t of stream.getTracks()) t.stop();
    throw new CameraError("no_camera", "The stream has no video track.");
  }
  const capabilities: ExtendedCapabilities = typeof track.getCapabilities === "function" ? track.getCapabilities() : {};
  if (capabilities.focusMode?.includes("continuous")) {
    await track
      .applyConstraints({ advanced: [{ focusMode: "continuous" } as MediaTrackConstraintSet] })
      .catch(() => {});
  }
  return {
    stream,
    track,
    torchSupported: capabilities.torch === true,
    async setTorch(on: boolean) {
      await track.applyConstraints({ advanced: [{ torch: on } as MediaTrackConstraintSet] });
    },
    stop() {
      for (const t of stream.getTracks()) t.stop();
    },
  };
}
