// The magnifier loupe (issue: "a magnifier loupe while placing or dragging"): draws the stored
// image pixels around the cursor straight from the decoded image, nearest-neighbour with the
// viewport's window, so it shows real pixels even when the canvas is at fit-to-window.
import type { CornerstoneImage } from 'cornerstone-core';
import { useEffect, useRef } from 'react';

export const LOUPE_SIZE = 168;

interface Props {
  image: CornerstoneImage;
  /** Image pixel under the cursor (float). */
  centre: { x: number; y: number };
  /** Loupe pixels per image pixel. */
  magnification: number;
  voi: { windowCenter: number; windowWidth: number };
  invert: boolean;
  /** CSS position inside the viewport area. */
  left: number;
  top: number;
  /** Other points to mark inside the loupe (image pixels). */
  marks: readonly { x: number; y: number; colour: string }[];
}

export function Loupe({ image, centre, magnification, voi, invert, left, top, marks }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const size = LOUPE_SIZE;
    const out = ctx.createImageData(size, size);
    const data = image.getPixelData();
    const { columns, rows } = image;
    const slope = image.slope ?? 1;
    const intercept = image.intercept ?? 0;
    const low = voi.windowCenter - 0.5 - (voi.windowWidth - 1) / 2;
    const span = Math.max(1, voi.windowWidth - 1);
    const half = size / 2;
    for (let j = 0; j < size; j++) {
      const py = Math.floor(centre.y + (j + 0.5 - half) / magnification);
      for (let i = 0; i < size; i++) {
        const o = (j * size + i) * 4;
        const pxX = Math.floor(centre.x + (i + 0.5 - half) / magnification);
        let g = 0;
        if (pxX >= 0 && pxX < columns && py >= 0 && py < rows) {
          if (image.color) {
            const k = (py * columns + pxX) * 4;
            out.data[o] = data[k]!;
            out.data[o + 1] = data[k + 1]!;
            out.data[o + 2] = data[k + 2]!;
            out.data[o + 3] = 255;
            continue;
          }
          const v = data[py * columns + pxX]! * slope + intercept;
          g = Math.round(Math.min(1, Math.max(0, (v - low) / span)) * 255);
          if (invert) g = 255 - g;
        }
        out.data[o] = g;
        out.data[o + 1] = g;
        out.data[o + 2] = g;
        out.data[o + 3] = 255;
      }
    }
    ctx.putImageData(out, 0, 0);
    for (const m of marks) {
      const x = half + (m.x - centre.x) * magnification;
      const y = half + (m.y - centre.y) * magnification;
      if (x < -8 || y < -8 || x > size + 8 || y > size + 8) continue;
      ctx.beginPath();
      ctx.arc(x, y, 5, 0, 2 * Math.PI);
      ctx.lineWidth = 3;
      ctx.strokeStyle = 'rgba(0,0,0,0.7)';
      ctx.stroke();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = m.colour;
      ctx.stroke();
    }
    // Crosshair with a gap at the centre, so the exact pixel stays visible.
    ctx.lineWidth = 1;
    ctx.strokeStyle = 'rgba(240, 228, 66, 0.95)';
    ctx.beginPath();
    ctx.moveTo(0, half);
    ctx.lineTo(half - 6, half);
    ctx.moveTo(half + 6, half);
    ctx.lineTo(size, half);
    ctx.moveTo(half, 0);
    ctx.lineTo(half, half - 6);
    ctx.moveTo(half, half + 6);
    ctx.lineTo(half, size);
    ctx.stroke();
  }, [image, centre.x, centre.y, magnification, voi.windowCenter, voi.windowWidth, invert, marks]);
  return (
    <div className="loupe" style={{ left, top }} data-testid="loupe">
      <canvas ref={ref} width={LOUPE_SIZE} height={LOUPE_SIZE} />
      <div className="loupe-caption">×{magnification >= 10 ? magnification.toFixed(0) : magnification.toFixed(1)} · {centre.x.toFixed(1)}, {centre.y.toFixed(1)}</div>
    </div>
  );
}
