// The one hardened window (architecture.md §2): isolated, sandboxed, no node in the page; the UI
// comes from app://, never file://.
import { BrowserWindow } from 'electron';
import path from 'node:path';
import { APP_ORIGIN } from './trusted-url';

export function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1600,
    height: 1000,
    minWidth: 1024,
    minHeight: 700,
    backgroundColor: '#111316',
    title: 'Osteoplan',
    show: false,
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}
