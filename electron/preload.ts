// contextBridge with one function per contract channel and one subscribe for push events
// (architecture.md §3). ipcRenderer itself is never exposed.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { CHANNELS, EVENT_NAMES, type EventName } from '../shared/ipc/contract';
import { IMAGE_URL_PREFIX, type ChannelFunctions, type OsteoplanPreloadApi } from '../shared/ipc/preload-api';

const channels = Object.fromEntries(
  CHANNELS.map((channel) => [channel, (request: unknown) => ipcRenderer.invoke(channel, request)]),
) as unknown as ChannelFunctions;

const api: OsteoplanPreloadApi = {
  mode: 'electron',
  channels,
  subscribe(event, listener) {
    if (!EVENT_NAMES.includes(event as EventName)) throw new Error(`Unknown event ${String(event)}`);
    const handler = (_e: IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(event, handler);
    return () => {
      ipcRenderer.removeListener(event, handler);
    };
  },
  imageUrlPrefix: IMAGE_URL_PREFIX,
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('osteoplan', api);
