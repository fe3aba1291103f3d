// Navigation and permission policy for every web contents (architecture.md §2). The decisions
// themselves live in trusted-url.ts, which is unit-tested without Electron.
import { app, session, shell, type WebContents } from 'electron';
import { isTrustedExternalUrl } from './trusted-url';

export function applySecurityPolicy(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isTrustedExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}
