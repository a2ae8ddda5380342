/** A QR code's dark modules as one SVG path, from the `qrcode` library's module matrix (error correction M). */
import QRCode from "qrcode";

/** Light modules around the code, as the QR specification asks: the code scans whatever is printed beside it. */
export const QUIET_ZONE = 4;

/** The path (each row's runs of dark modules as rectangles) and the drawing's size in modules, quiet zone included. */
export function qrPath(text: string): { d: string; size: number } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const n = modules.size;
  let d = "";
  for (let y = 0; y < n; y++) {
    let x = 0;
    while (x < n) {
      if (!modules.get(y, x)) {
        x++;
        continue;
      }
      const start = x;
      while (x < n && modules.get(y, x)) x++;
      d += `M${start + QUIET_ZONE} ${y + QUIET_ZONE}h${x - start}v1h${start - x}z`;
    }
  }
  return { d, size: n + 2 * QUIET_ZONE };
}
