// `npm run build:renderer`: the UI to out/renderer with relative asset paths, so the same build
// loads under Electron's app://osteoplan/ and under the bridge's http://127.0.0.1:PORT/.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (p: string) => decodeURIComponent(new URL(p, import.meta.url).pathname);

export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [react()],
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
