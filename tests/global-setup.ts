// Builds the header-reader worker before any test opens a backend: the backend reads headers in
// a worker thread (electron/backend/dicom/header-reader-pool.ts), which runs built JavaScript.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build-electron.mjs', '--only', 'header-worker'], { stdio: 'inherit' });
}
