/**
 * A QR code as an SVG drawn from the `qrcode` library's module matrix: sharp at any size on screen and on paper, no
 * canvas, no data URL, nothing inline for the strict CSP to refuse. Black on white with the 4-module quiet zone
 * inside the drawing, so the code scans whatever is around it.
 */
import { useMemo } from "react";
import { qrPath } from "./qrPath";

export function QrCode({
  text,
  label,
  className,
  testId,
}: {
  text: string;
  label: string;
  className?: string;
  testId?: string;
}) {
  const { d, size } = useMemo(() => qrPath(text), [text]);
  return (
    <svg
      className={className ? `qr ${className}` : "qr"}
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={label}
      data-testid={testId}
      shapeRendering="crispEdges"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
