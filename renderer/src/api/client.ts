// One API for the UI over both transports (architecture.md §1, §3): Electron's preload
// (`window.osteoplan`) and the browser bridge over HTTP. Callers get plain values or an ApiError
// carrying the stable error code; nothing else about the transport leaks into screens.
import type { Channel, EventMap, EventName, ImportReport, RequestOf, ResponseOf } from '../../../shared/ipc/contract';
import { AppError, type Result } from '../../../shared/ipc/result';

/** A failure envelope from the backend, thrown in the UI: the backend's error with its stable code. */
export class ApiError extends AppError {
  override readonly name = 'ApiError';
}

/** Progress of the browser upload phase (Electron imports in place and never uploads). */
export interface UploadProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  currentName: string | null;
}

/** What a transport must provide; the client adds envelope unwrapping and the import flows. */
export interface Transport {
  readonly mode: 'electron' | 'browser';
  call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  subscribe<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
  imageUrl(imageId: number): string;
  /**
   * Turns dropped or chosen File objects into paths the backend can read: the bridge uploads them
   * to its staging folder; Electron asks the preload for the file's own path.
   */
  stageFiles(files: File[], onProgress: (p: UploadProgress) => void, signal?: AbortSignal): Promise<string[]>;
  /** True when the native open dialog exists (Electron). */
  readonly hasNativeDialog: boolean;
}

export interface OsteoplanApi {
  readonly mode: 'electron' | 'browser';
  readonly hasNativeDialog: boolean;
  /** Calls a channel and returns its value; a failure envelope becomes a thrown ApiError. */
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  subscribe<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
  /** URL the image loader fetches the DICOM bytes from. */
  imageUrl(imageId: number): string;
  /** Electron: native dialog, then import. Resolves to null when the user cancels the dialog. */
  importWithDialog(kind: 'files' | 'folder', jobId: string): Promise<ImportReport | null>;
  /** Browser (and Electron drag-and-drop): stages the files, then imports them as one job. */
  importFiles(files: File[], jobId: string, onUpload?: (p: UploadProgress) => void, signal?: AbortSignal): Promise<ImportReport>;
  /**
   * Hands chosen files to the backend without importing them (a CD tree before media:read, a
   * scanned film before import:scannedFilm): one path per file, or the upload root for a folder.
   */
  stageFiles(files: File[], onUpload?: (p: UploadProgress) => void, signal?: AbortSignal): Promise<string[]>;
}

export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new ApiError(result.error.code, result.error.message);
}

export function createApi(transport: Transport): OsteoplanApi {
  const invoke = async <C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> => {
    let result: Result<ResponseOf<C>>;
    try {
      result = await transport.call(channel, request);
    } catch (err) {
      // A transport that throws (bridge gone, IPC torn down) is reported like any other failure.
      throw new ApiError('INTERNAL', `The app backend did not answer (${(err as Error).message ?? String(err)}).`);
    }
    return unwrap(result);
  };
  const stage = async (files: File[], onUpload?: (p: UploadProgress) => void, signal?: AbortSignal): Promise<string[]> => {
    if (files.length === 0) throw new ApiError('INVALID_INPUT', 'No files were chosen.');
    try {
      return await transport.stageFiles(files, onUpload ?? (() => {}), signal);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError('INTERNAL', `The files could not be handed to the app: ${(err as Error).message ?? String(err)}`);
    }
  };
  return {
    mode: transport.mode,
    hasNativeDialog: transport.hasNativeDialog,
    invoke,
    subscribe: (event, listener) => transport.subscribe(event, listener),
    imageUrl: (imageId) => transport.imageUrl(imageId),
    async importWithDialog(kind, jobId) {
      if (!transport.hasNativeDialog) throw new ApiError('FORBIDDEN', 'The native file dialog exists only in the desktop app.');
      const paths = await invoke('dialog:openPaths', { kind });
      if (paths.length === 0) return null;
      return invoke('import:paths', { paths, jobId });
    },
    async importFiles(files, jobId, onUpload, signal) {
      const paths = await stage(files, onUpload, signal);
      return invoke('import:paths', { paths, jobId });
    },
    stageFiles: (files, onUpload, signal) => stage(files, onUpload, signal),
  };
}

/** A job id the UI uses to match progress events and to cancel. */
export function newJobId(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return `job-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
