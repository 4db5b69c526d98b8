// A QR code drawn as SVG squares from the code's module matrix (no HTML from strings): sharp at any size,
// so a projector shows it as large as the panel is.
import QRCode from 'qrcode';
import { useMemo } from 'react';

export function QrCode({ text, label }: { text: string; label: string }) {
  const { size, cells } = useMemo(() => {
    const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
    const dark: [number, number][] = [];
    for (let y = 0; y < modules.size; y++) for (let x = 0; x < modules.size; x++) if (modules.get(y, x)) dark.push([x, y]);
    return { size: modules.size, cells: dark };
  }, [text]);
  // Four modules of quiet zone around the code, as scanners expect.
  return (
    <svg className="qr-code" viewBox={`-4 -4 ${size + 8} ${size + 8}`} role="img" aria-label={label} shapeRendering="crispEdges">
      <rect x={-4} y={-4} width={size + 8} height={size + 8} fill="#fff" />
      <path d={cells.map(([x, y]) => `M${x} ${y}h1v1h-1z`).join('')} fill="#000" />
    </svg>
  );
}
