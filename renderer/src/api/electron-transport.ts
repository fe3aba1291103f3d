// Transport over the Electron preload (`window.osteoplan`, shared/ipc/preload-api.ts).
import type { OsteoplanPreloadApi } from '../../../shared/ipc/preload-api';
import { ApiError, type Transport } from './client';

export function electronTransport(preload: OsteoplanPreloadApi): Transport {
  return {
    mode: 'electron',
    hasNativeDialog: true,
    call: (channel, request) => preload.channels[channel](request as never) as never,
    subscribe: (event, listener) => preload.subscribe(event, listener),
    imageUrl: (imageId) => `${preload.imageUrlPrefix}${imageId}`,
    async stageFiles(files) {
      // Electron 32+ removed File.path; the preload resolves it with webUtils.getPathForFile.
      const paths = files.map((f) => preload.pathForFile(f)).filter((p) => typeof p === 'string' && p.length > 0);
      if (paths.length === 0) throw new ApiError('INVALID_INPUT', 'The dropped items have no file path on disk.');
      return paths;
    },
  };
}
