// `npm start`: launches the built app in Electron. The Electron runtime is downloaded from GitHub
// the first time it is used; where that download is impossible we say so plainly and name the
// alternative instead of printing a stack trace.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = path.dirname(require.resolve('electron/package.json'));

function installedBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
  const pathFile = path.join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8'));
  return existsSync(binary) ? binary : null;
}

let binary = installedBinary();
if (!binary) {
  console.log('Fetching the Electron runtime (first start only)...');
  spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { stdio: ['ignore', 'ignore', 'ignore'] });
  binary = installedBinary();
}

if (!binary) {
  console.error(
    [
      '',
      'Osteoplan could not start its desktop window: the Electron runtime is not installed, and',
      'downloading it (from github.com, on first start) failed, probably because this machine has no',
      'access to it. Everything else is built. To use the same app in your browser instead, run',
      '`npm run start:browser` and open the address it prints (it serves the UI and the local library',
      'on 127.0.0.1 only). To get the desktop app, run `npm start` again on a machine that can reach',
      'GitHub, or set ELECTRON_OVERRIDE_DIST_PATH to a folder holding an Electron 45 build.',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

const child = spawn(binary, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
