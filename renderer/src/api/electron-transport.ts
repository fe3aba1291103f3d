// Transport over the Electron preload (`window.osteoplan`, shared/ipc/preload-api.ts).
import type { OsteoplanPreloadApi } from '../../../shared/ipc/preload-api';
import { ApiError, type Transport } from './client';

/**
 * Electron 32+ removed File.path; a dropped file's path is only available through the preload's
 * webUtils.getPathForFile. The preload may expose it as `pathForFile`; without it drag-and-drop
 * says so and the Import button (native dialog) still works.
 */
type PreloadWithPaths = OsteoplanPreloadApi & { pathForFile?: (file: File) => string };

export function electronTransport(preload: PreloadWithPaths): Transport {
  return {
    mode: 'electron',
    hasNativeDialog: true,
    call: (channel, request) => preload.channels[channel](request as never) as never,
    subscribe: (event, listener) => preload.subscribe(event, listener),
    imageUrl: (imageId) => `${preload.imageUrlPrefix}${imageId}`,
    async stageFiles(files) {
      if (typeof preload.pathForFile !== 'function') {
        throw new ApiError('FORBIDDEN', 'Dropping files is not available in this build: use Import files or Import folder.');
      }
      const paths = files.map((f) => preload.pathForFile!(f)).filter((p) => typeof p === 'string' && p.length > 0);
      if (paths.length === 0) throw new ApiError('INVALID_INPUT', 'The dropped items have no file path on disk.');
      return paths;
    },
  };
}
