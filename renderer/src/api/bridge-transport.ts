// Transport over the browser bridge (electron/backend/bridge-server.ts). The per-launch token
// arrives once in the page URL; the bridge answers that first request with an HttpOnly cookie, so
// every later request (fetch, the image loader's XHR, EventSource) is authenticated by the
// browser without the page ever holding the secret. We then drop the token from the address bar.
import type { EventName, EventMap } from '../../../shared/ipc/contract';
import type { Result } from '../../../shared/ipc/result';
import { ApiError, type Transport, type UploadProgress } from './client';

export interface StagedUpload {
  path: string;
  uploadId: string;
  root: string;
}

function uploadOne(file: File, name: string, uploadId: string | null, onBytes: (loaded: number) => void, signal?: AbortSignal): Promise<StagedUpload> {
  return new Promise((resolve, reject) => {
    const params = new URLSearchParams({ name });
    if (uploadId) params.set('uploadId', uploadId);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/upload?${params.toString()}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onBytes(e.loaded);
    xhr.onerror = () => reject(new ApiError('INTERNAL', `Uploading ${name} to the app failed (connection error).`));
    xhr.onabort = () => reject(new ApiError('CANCELLED', 'The import was cancelled.'));
    xhr.onload = () => {
      let body: Result<StagedUpload> | null = null;
      try {
        body = JSON.parse(xhr.responseText) as Result<StagedUpload>;
      } catch {
        // fall through to the status message below
      }
      if (body && body.ok) return resolve(body.value);
      if (body && !body.ok) return reject(new ApiError(body.error.code, body.error.message));
      reject(new ApiError('INTERNAL', `Uploading ${name} failed (HTTP ${xhr.status}).`));
    };
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

export function bridgeTransport(): Transport {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  let source: EventSource | null = null;
  // Listen per event name on first subscription: no runtime import of the contract (and its zod
  // schemas, whose eval probe the CSP would report) is needed in the page.
  const listen = (name: EventName) => {
    source ??= new EventSource('/api/events');
    source.addEventListener(name, (e) => {
      const payload = JSON.parse((e as MessageEvent<string>).data) as never;
      listeners.get(name)?.forEach((l) => l(payload));
    });
  };

  return {
    mode: 'browser',
    hasNativeDialog: false,
    async call(channel, request) {
      const res = await fetch(`/api/invoke/${encodeURIComponent(channel)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request ?? {}),
        credentials: 'same-origin',
      });
      const text = await res.text();
      try {
        return JSON.parse(text);
      } catch {
        return { ok: false, error: { code: res.status === 403 ? 'FORBIDDEN' : 'INTERNAL', message: `The app bridge answered HTTP ${res.status}: ${text.slice(0, 200)}` } };
      }
    },
    subscribe<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void) {
      let set = listeners.get(event);
      if (!set) {
        listeners.set(event, (set = new Set()));
        listen(event);
      }
      set.add(listener as (payload: never) => void);
      return () => {
        set!.delete(listener as (payload: never) => void);
      };
    },
    imageUrl: (imageId) => `${location.origin}/api/image/${imageId}`,
    async stageFiles(files, onProgress, signal) {
      const bytesTotal = files.reduce((n, f) => n + f.size, 0);
      let bytesBefore = 0;
      let uploadId: string | null = null;
      let root = '';
      const paths: string[] = [];
      // A folder keeps its relative layout so a DICOMDIR still finds the files it references.
      const isFolder = files.some((f) => (f.webkitRelativePath ?? '').includes('/'));
      for (const [i, file] of files.entries()) {
        const name = isFolder && file.webkitRelativePath ? file.webkitRelativePath : file.name;
        onProgress({ filesDone: i, filesTotal: files.length, bytesDone: bytesBefore, bytesTotal, currentName: name } satisfies UploadProgress);
        const staged: StagedUpload = await uploadOne(
          file,
          name,
          uploadId,
          (loaded) => onProgress({ filesDone: i, filesTotal: files.length, bytesDone: bytesBefore + loaded, bytesTotal, currentName: name }),
          signal,
        );
        uploadId = staged.uploadId;
        root = staged.root;
        bytesBefore += file.size;
        paths.push(staged.path);
      }
      onProgress({ filesDone: files.length, filesTotal: files.length, bytesDone: bytesTotal, bytesTotal, currentName: null });
      return isFolder ? [root] : paths;
    },
  };
}

/** Removes the launch token from the address bar once the bridge has set its cookie. */
export function forgetLaunchToken(): void {
  const url = new URL(location.href);
  if (!url.searchParams.has('token')) return;
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}
