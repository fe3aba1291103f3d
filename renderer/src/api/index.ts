// Picks the transport for the running shell: the Electron preload when present, else the bridge.
import type { OsteoplanPreloadApi } from '../../../shared/ipc/preload-api';
import { bridgeTransport, forgetLaunchToken } from './bridge-transport';
import { createApi, type OsteoplanApi } from './client';
import { electronTransport } from './electron-transport';

export * from './client';

declare global {
  interface Window {
    osteoplan?: OsteoplanPreloadApi;
  }
}

let instance: OsteoplanApi | null = null;

export function getApi(): OsteoplanApi {
  if (instance) return instance;
  if (window.osteoplan && window.osteoplan.mode === 'electron') {
    instance = createApi(electronTransport(window.osteoplan));
  } else {
    forgetLaunchToken();
    instance = createApi(bridgeTransport());
  }
  return instance;
}
