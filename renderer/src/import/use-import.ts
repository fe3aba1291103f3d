// Import state for the whole window: the button (files/folder) and drag-and-drop both end here,
// progress comes from `import:progress` (and, in the browser, the upload before it), and the
// finished report stays on screen until dismissed.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventMap, ImportReport } from '../../../shared/ipc/contract';
import { ApiError, newJobId, type OsteoplanApi, type UploadProgress } from '../api';

export type ImportState =
  | { phase: 'idle' }
  | { phase: 'uploading'; jobId: string; upload: UploadProgress }
  | { phase: 'importing'; jobId: string; progress: EventMap['import:progress'] | null }
  | { phase: 'done'; report: ImportReport }
  | { phase: 'failed'; message: string };

export interface ImportController {
  state: ImportState;
  busy: boolean;
  chooseAndImport(kind: 'files' | 'folder'): void;
  importFiles(files: File[]): void;
  /** The chosen studies of a DICOMDIR read by media:read; progress, cancel and report as for files. */
  importMedia(dicomdirPath: string, studyInstanceUids: string[]): void;
  cancel(): void;
  dismiss(): void;
}

export function useImport(api: OsteoplanApi, onImported: () => void): ImportController {
  const [state, setState] = useState<ImportState>({ phase: 'idle' });
  const abortRef = useRef<AbortController | null>(null);
  const jobRef = useRef<string | null>(null);
  const busy = state.phase === 'uploading' || state.phase === 'importing';

  useEffect(
    () =>
      api.subscribe('import:progress', (p) => {
        if (p.jobId !== jobRef.current) return;
        setState((s) => (s.phase === 'importing' || s.phase === 'uploading' ? { phase: 'importing', jobId: p.jobId, progress: p } : s));
      }),
    [api],
  );

  const finish = useCallback(
    (promise: Promise<ImportReport | null>) => {
      promise
        .then((report) => {
          jobRef.current = null;
          if (report === null) return setState({ phase: 'idle' });
          setState({ phase: 'done', report });
          onImported();
        })
        .catch((err: unknown) => {
          jobRef.current = null;
          const message = err instanceof ApiError ? err.message : `Import failed: ${String((err as Error)?.message ?? err)}`;
          setState(err instanceof ApiError && err.code === 'CANCELLED' ? { phase: 'idle' } : { phase: 'failed', message });
          onImported();
        });
    },
    [onImported],
  );

  const chooseAndImport = useCallback(
    (kind: 'files' | 'folder') => {
      if (busy) return;
      const jobId = newJobId();
      jobRef.current = jobId;
      // The dialog is modal; the job shows as importing only once paths come back and progress flows.
      setState({ phase: 'importing', jobId, progress: null });
      finish(api.importWithDialog(kind, jobId));
    },
    [api, busy, finish],
  );

  const importFiles = useCallback(
    (files: File[]) => {
      if (busy || files.length === 0) return;
      const jobId = newJobId();
      jobRef.current = jobId;
      const abort = new AbortController();
      abortRef.current = abort;
      const total = files.reduce((n, f) => n + f.size, 0);
      setState({ phase: 'uploading', jobId, upload: { filesDone: 0, filesTotal: files.length, bytesDone: 0, bytesTotal: total, currentName: null } });
      finish(
        api.importFiles(
          files,
          jobId,
          (upload) => {
            setState((s) => (s.phase === 'uploading' && s.jobId === jobId ? { ...s, upload } : s));
            if (upload.filesDone === upload.filesTotal) setState((s) => (s.phase === 'uploading' && s.jobId === jobId ? { phase: 'importing', jobId, progress: null } : s));
          },
          abort.signal,
        ),
      );
    },
    [api, busy, finish],
  );

  const importMedia = useCallback(
    (dicomdirPath: string, studyInstanceUids: string[]) => {
      if (busy || studyInstanceUids.length === 0) return;
      const jobId = newJobId();
      jobRef.current = jobId;
      setState({ phase: 'importing', jobId, progress: null });
      finish(api.invoke('media:import', { dicomdirPath, studyInstanceUids, jobId }));
    },
    [api, busy, finish],
  );

  const cancel = useCallback(() => {
    abortRef.current?.abort();
    const jobId = jobRef.current;
    if (jobId && state.phase === 'importing') void api.invoke('import:cancel', { jobId }).catch(() => {});
  }, [api, state.phase]);

  const dismiss = useCallback(() => setState({ phase: 'idle' }), []);

  return { state, busy, chooseAndImport, importFiles, importMedia, cancel, dismiss };
}

/** Files from a drop event; folders are walked through the entries API (webkitGetAsEntry). */
export async function filesFromDrop(dt: DataTransfer): Promise<File[]> {
  const entries = Array.from(dt.items ?? [])
    .map((item) => (item.kind === 'file' && typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null))
    .filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return Array.from(dt.files ?? []);
  const out: File[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      // Keep the folder layout (for DICOMDIR) the same way <input webkitdirectory> reports it.
      out.push(prefix ? withRelativePath(file, `${prefix}${file.name}`) : file);
      return;
    }
    if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const entry of entries) await walk(entry, '');
  return out;
}

function withRelativePath(file: File, relative: string): File {
  Object.defineProperty(file, 'webkitRelativePath', { value: relative, configurable: true });
  return file;
}
