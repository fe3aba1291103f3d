// `npm run build:renderer`: the UI to out/renderer with relative asset paths, so the same build
// loads under Electron's app://osteoplan/ and under the bridge's http://127.0.0.1:PORT/.
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { fixJpeg12LevelShift } from '../shared/dicom/jpeg12-level-shift';
import { removeEmbindEval } from './build/embind-no-eval';

const here = (p: string) => decodeURIComponent(new URL(p, import.meta.url).pathname);

/** The codec worker must run under script-src without 'unsafe-eval' (see build/embind-no-eval.ts), and decode 12-bit JPEG right. */
function codecWorkerWithoutEval(): Plugin {
  return {
    name: 'osteoplan:codec-worker-without-eval',
    enforce: 'pre',
    transform(code, id) {
      if (!/cornerstone-wado-image-loader[\\/]dist[\\/]cornerstoneWADOImageLoader\.bundle\.min\.js$/.test(id)) return null;
      const patched = removeEmbindEval(code);
      // Four embind codecs (OpenJPEG, CharLS, libjpeg-turbo, OpenJPH); three of them use emval's allocator.
      const found = [patched.namedFunctions, patched.invokers, patched.emvalAllocators].join('+');
      if (found !== '4+4+3') {
        throw new Error(`cornerstone-wado-image-loader changed: expected 4+4+3 embind eval sites, patched ${found}. Update renderer/build/embind-no-eval.ts.`);
      }
      // The 12-bit JPEG decoder's level shift, fixed as in the Node decoder (one site).
      const levelShift = fixJpeg12LevelShift(patched.code);
      if (levelShift.sites !== 1) {
        throw new Error(`cornerstone-wado-image-loader changed: expected 1 12-bit JPEG sample conversion, found ${levelShift.sites}. Update shared/dicom/jpeg12-level-shift.ts.`);
      }
      return { code: levelShift.code, map: null };
    },
  };
}

export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [codecWorkerWithoutEval(), react()],
  build: {
    outDir: here('../out/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The image loader bundles its codecs (about 1.4 MB); splitting it buys nothing offline.
    chunkSizeWarningLimit: 4096,
    modulePreload: { polyfill: false },
  },
});
