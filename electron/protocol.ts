// app:// serves the built UI and osteoplan-image:// serves an image's bytes by opaque id, resolved
// through the database to a file inside the managed store (architecture.md §2). Neither ever
// accepts a path from the page.
import { net, protocol } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_SCHEME, IMAGE_SCHEME } from '../shared/ipc/preload-api';
import { CONTENT_SECURITY_POLICY } from '../shared/ipc/csp';
import type { Backend } from './backend/backend';
import { parseImageUrl, resolveAppAsset } from './trusted-url';

/** Must run before app 'ready'. */
export function registerPrivilegedSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
    { scheme: IMAGE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true } },
  ]);
}

export function registerProtocolHandlers(backend: Backend, rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const relative = resolveAppAsset(request.url);
    if (!relative) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(path.join(rendererDir, relative)).toString());
    if (!response.ok) return new Response('Not found', { status: 404 });
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: 200, headers });
  });

  protocol.handle(IMAGE_SCHEME, async (request) => {
    const imageId = parseImageUrl(request.url);
    if (imageId === null) return new Response('Bad image id', { status: 400 });
    let file: string;
    try {
      file = backend.resolveImagePath(imageId);
    } catch {
      return new Response('Not found', { status: 404 });
    }
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers({ 'Content-Type': 'application/dicom', 'Access-Control-Allow-Origin': 'app://osteoplan' });
    return new Response(response.body, { status: response.status, headers });
  });
}
