// The one place ipcMain.handle is called (architecture.md §3): every channel of the contract goes
// through register(), which checks the sender, validates with zod and returns the envelope.
import { dialog, ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { CHANNELS, type Channel } from '../shared/ipc/contract';
import { fail } from '../shared/ipc/result';
import type { Backend } from './backend/backend';
import { dispatch, type HandlerContext, type HandlerTable } from './backend/dispatch';
import { isTrustedSenderUrl } from './trusted-url';

function electronHandlers(backend: Backend, getWindow: () => BrowserWindow | null): HandlerTable {
  return {
    ...backend.handlers,
    'dialog:openPaths': async ({ kind }) => {
      const win = getWindow();
      const options: Electron.OpenDialogOptions = {
        title: kind === 'folder' ? 'Import a folder of DICOM files' : 'Import DICOM files',
        properties: kind === 'folder' ? ['openDirectory'] : ['openFile', 'multiSelections'],
      };
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return result.canceled ? [] : result.filePaths;
    },
  };
}

export function registerIpc(backend: Backend, getWindow: () => BrowserWindow | null): void {
  const table = electronHandlers(backend, getWindow);
  const register = (channel: Channel) => {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, payload: unknown) => {
      if (!isTrustedSenderUrl(event.senderFrame?.url)) {
        return fail('FORBIDDEN', 'Request refused: it did not come from the Osteoplan window.');
      }
      const context: HandlerContext = {
        emit: (name, data) => {
          if (!event.sender.isDestroyed()) event.sender.send(name, data);
        },
      };
      return dispatch(table, channel, payload, context);
    });
  };
  for (const channel of CHANNELS) register(channel);
}
