// What the Electron preload exposes as `window.osteoplan`: one function per contract channel and
// one subscribe for push events (architecture.md §3). The browser bridge client implements the
// same shape over HTTP, so the renderer has a single API type.
import type { Channel, EventMap, EventName, RequestOf, ResponseOf } from './contract';
import type { Result } from './result';

export type ChannelFunctions = { [C in Channel]: (request: RequestOf<C>) => Promise<Result<ResponseOf<C>>> };

export interface OsteoplanPreloadApi {
  mode: 'electron';
  channels: ChannelFunctions;
  subscribe<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
  /** URL prefix of the image scheme: `${imageUrlPrefix}${imageId}` returns that image's DICOM bytes. */
  imageUrlPrefix: string;
  /**
   * The on-disk path of a file the user dropped or chose (Electron's webUtils.getPathForFile).
   * Local to the preload: nothing crosses IPC, and the main process still validates every path.
   */
  pathForFile(file: File): string;
}

/** The custom scheme that serves an image's bytes by opaque id (architecture.md §2). */
export const IMAGE_SCHEME = 'osteoplan-image';
export const IMAGE_URL_PREFIX = `${IMAGE_SCHEME}://image/`;
/** The custom scheme that serves the UI (never file://). */
export const APP_SCHEME = 'app';
