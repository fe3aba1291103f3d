// A series thumbnail rendered by cornerstone into a small canvas, only once it scrolls into view,
// one at a time so a long study list never floods the decoder.
import { useEffect, useRef, useState } from 'react';
import type { ImageSummary } from '../../../shared/ipc/contract';
import type { OsteoplanApi } from '../api';
import { initCornerstone, loadDicomImage } from '../viewer/cornerstone-setup';

const SIZE = 148;
let queue: Promise<void> = Promise.resolve();
function enqueue(task: () => Promise<void>): Promise<void> {
  const run = queue.then(task, task);
  queue = run.catch(() => {});
  return run;
}

export function SeriesThumbnail({ api, image }: { api: OsteoplanApi; image: ImageSummary }) {
  const holder = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [status, setStatus] = useState<'waiting' | 'done' | 'failed'>('waiting');

  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    let cancelled = false;
    const observer = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      void enqueue(async () => {
        if (cancelled) return;
        try {
          const img = await loadDicomImage(api.imageUrl(image.id), { modality: image.modality, timeoutMs: 60_000 });
          const canvas = canvasRef.current;
          if (cancelled || !canvas) return;
          const ratio = img.width / img.height;
          canvas.width = Math.max(1, Math.round(ratio >= 1 ? SIZE : SIZE * ratio));
          canvas.height = Math.max(1, Math.round(ratio >= 1 ? SIZE / ratio : SIZE));
          initCornerstone().renderToCanvas(canvas, img);
          setStatus('done');
        } catch {
          if (!cancelled) setStatus('failed');
        }
      });
    });
    observer.observe(el);
    return () => {
      cancelled = true;
      observer.disconnect();
    };
  }, [api, image.id, image.modality]);

  return (
    <div className="thumb" ref={holder}>
      <canvas ref={canvasRef} width={1} height={1} hidden={status !== 'done'} />
      {status === 'waiting' && <div className="thumb-note">{image.columns} × {image.rows}</div>}
      {status === 'failed' && <div className="thumb-note">No preview</div>}
    </div>
  );
}
