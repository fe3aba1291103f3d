// App lifecycle: wires the hardened window, the custom schemes, the IPC table and the backend.
// Everything that does real work lives in electron/backend/ (plain Node, tested without Electron).
import { app, BrowserWindow, dialog } from 'electron';
import path from 'node:path';
import { AppError } from '../shared/ipc/result';
import { openBackend, type Backend } from './backend/backend';
import { HEADER_WORKER_FILE } from './backend/dicom/header-reader-pool';
import { registerIpc } from './ipc';
import { registerPrivilegedSchemes, registerProtocolHandlers } from './protocol';
import { applySecurityPolicy } from './security';
import { createMainWindow } from './window';

// OSTEOPLAN_DATA_DIR moves the whole library (database and image store), e.g. for tests.
if (process.env.OSTEOPLAN_DATA_DIR) app.setPath('userData', path.resolve(process.env.OSTEOPLAN_DATA_DIR));

registerPrivilegedSchemes();
let mainWindow: BrowserWindow | null = null;
let backend: Backend | null = null;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });

  app.whenReady().then(() => {
    applySecurityPolicy();
    try {
      // Worker threads cannot load scripts from inside app.asar: the worker is unpacked beside it.
      const headerWorkerFile = path.join(__dirname, '..', 'workers', HEADER_WORKER_FILE).replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
      backend = openBackend({ dataDir: app.getPath('userData'), appVersion: app.getVersion(), mode: 'electron', headerWorkerFile });
    } catch (err) {
      const message = err instanceof AppError ? err.message : `The library could not be opened: ${String((err as Error)?.message ?? err)}`;
      dialog.showErrorBox('Osteoplan cannot open its library', message);
      app.exit(1);
      return;
    }
    registerProtocolHandlers(backend, path.join(__dirname, '..', 'renderer'));
    registerIpc(backend, () => mainWindow);
    mainWindow = createMainWindow();
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
  });

  app.on('window-all-closed', () => {
    backend?.close();
    backend = null;
    app.quit();
  });
}
