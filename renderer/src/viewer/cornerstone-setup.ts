// cornerstone-core + cornerstone-wado-image-loader, configured once. Decoding runs in the loader's
// blob: web workers with the codec packages compiled in (JPEG baseline/lossless, JPEG-LS,
// JPEG 2000, RLE); CSP allows exactly that: worker-src blob:, script-src 'wasm-unsafe-eval'.
import cornerstone, { type CornerstoneImage } from 'cornerstone-core';
import cornerstoneWADOImageLoader from 'cornerstone-wado-image-loader';
import dicomParser from 'dicom-parser';

let initialised = false;

export function initCornerstone(): typeof cornerstone {
  if (initialised) return cornerstone;
  initialised = true;
  cornerstoneWADOImageLoader.external.cornerstone = cornerstone;
  cornerstoneWADOImageLoader.external.dicomParser = dicomParser;
  cornerstoneWADOImageLoader.configure({ useWebWorkers: true, decodeConfig: { convertFloatPixelDataToInt: false } });
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  cornerstoneWADOImageLoader.webWorkerManager.initialize({
    maxWebWorkers: Math.max(1, Math.min(4, cores)),
    startWebWorkersOnDemand: true,
    taskConfiguration: { decodeTask: { initializeCodecsOnStartup: false, strict: false } },
  });
  // A 3000×9000 16-bit film is 54 MB decoded; keep a handful of films warm, not the whole library.
  cornerstone.imageCache.setMaximumSizeBytes(768 * 1024 * 1024);
  return cornerstone;
}

export function imageIdFor(url: string): string {
  return `wadouri:${url}`;
}

export class ImageLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageLoadError';
  }
}

/**
 * Loads and decodes one image. The loader never settles on a file without Modality (0008,0060)
 * (architecture.md §7), so such files are refused up front with a clear message, and any load
 * that outlives `timeoutMs` is reported instead of leaving a spinner forever.
 */
export async function loadDicomImage(url: string, opts: { modality: string | null; timeoutMs?: number }): Promise<CornerstoneImage> {
  if (!opts.modality || opts.modality.trim() === '') {
    throw new ImageLoadError('This file has no Modality (0008,0060), which the image decoder cannot handle. Re-export it from the source system with the modality set.');
  }
  const cs = initCornerstone();
  const imageId = imageIdFor(url);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ImageLoadError(`Decoding the image did not finish within ${Math.round(timeoutMs / 1000)} s.`)), timeoutMs);
  });
  try {
    return await Promise.race([cs.loadAndCacheImage(imageId), timeout]);
  } catch (err) {
    if (err instanceof ImageLoadError) throw err;
    throw new ImageLoadError(describeLoadFailure(err));
  } finally {
    clearTimeout(timer);
  }
}

function describeLoadFailure(err: unknown): string {
  // The loader rejects with assorted shapes: Error, { error: XMLHttpRequest }, strings.
  if (err instanceof Error) return `The image could not be decoded: ${err.message}`;
  const e = err as { error?: { status?: number; message?: string } | string; message?: string } | string | undefined;
  if (typeof e === 'string') return `The image could not be decoded: ${e}`;
  if (e && typeof e.error === 'object' && e.error && typeof e.error.status === 'number') {
    return e.error.status === 404 ? 'The image file is missing from the library store.' : `The image could not be fetched (HTTP ${e.error.status}).`;
  }
  if (e && typeof e.error === 'string') return `The image could not be decoded: ${e.error}`;
  if (e && typeof e.message === 'string') return `The image could not be decoded: ${e.message}`;
  return 'The image could not be decoded.';
}
