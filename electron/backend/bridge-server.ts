// The browser bridge (architecture.md §2): the same handler table and the same UI as the desktop
// app, served over HTTP for browser tests and `npm run start:browser`. It binds 127.0.0.1 only and
// every request must carry the random per-launch token, first in the URL, then as an HttpOnly
// SameSite=Strict cookie. The Host header must name this very address (DNS-rebinding guard), and
// nothing from the page is ever used as a path without being reduced to a safe name first.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, realpath, rm, stat, unlink } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EVENT_NAMES, type EventMap, type EventName } from '../../shared/ipc/contract';
import { CONTENT_SECURITY_POLICY } from '../../shared/ipc/csp';
import { fail, ok, toFailure, type Result } from '../../shared/ipc/result';
import { dispatch, type HandlerContext, type HandlerTable } from './dispatch';

/** The part of the backend the bridge needs (electron/backend/backend.ts `Backend`). */
export interface BridgeBackend {
  dataDir: string;
  handlers: HandlerTable;
  resolveImagePath(imageId: number): string;
}

export interface BridgeOptions {
  backend: BridgeBackend;
  /** The built UI (out/renderer). */
  staticDir: string;
  port?: number;
  /** Fixed token for tests; by default 32 random bytes per launch. */
  token?: string;
  /** Largest single upload; default 4 GiB (a long-leg film is < 200 MB, a 3000×9000 16-bit one 54 MB). */
  maxUploadBytes?: number;
}

export interface Bridge {
  /** Address to open, with the token: http://127.0.0.1:PORT/?token=... */
  url: string;
  origin: string;
  token: string;
  port: number;
  stagingDir: string;
  close(): Promise<void>;
}

const MAX_JSON_BYTES = 16 * 1024 * 1024;
const UPLOAD_ID = /^[a-f0-9]{32}$/;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

/**
 * Reduces one path segment from the page to a harmless file name: no separators, no dot-only
 * names, no control characters, bounded length. Returns null when nothing usable is left.
 */
export function safeSegment(raw: string): string | null {
  // eslint-disable-next-line no-control-regex
  let s = raw.normalize('NFC').replace(/[\u0000-\u001f\u007f<>:"|?*\\/]/g, '_').trim();
  if (s === '' || /^\.+$/.test(s)) return null;
  if (s.startsWith('.')) s = `_${s.slice(1)}`;
  if (Buffer.byteLength(s) > 200) s = s.slice(0, 120);
  return s;
}

/** A relative upload name ("folder/sub/file.dcm") as safe segments, or null when unsafe/empty. */
export function safeRelativeName(raw: string): string[] | null {
  if (raw.length === 0 || raw.length > 4096) return null;
  const parts = raw.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.length > 32 || parts.some((p) => p === '..')) return null;
  const safe = parts.map(safeSegment);
  return safe.every((p): p is string => p !== null) ? safe : null;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const { backend } = options;
  const token = options.token ?? randomBytes(32).toString('base64url');
  const maxUploadBytes = options.maxUploadBytes ?? 4 * 1024 ** 3;
  const staticDir = await realpath(options.staticDir).catch(() => path.resolve(options.staticDir));
  const stagingDir = path.join(backend.dataDir, 'staging');
  // Leftovers from a run that crashed mid-import are never imported later: start clean.
  await rm(stagingDir, { recursive: true, force: true });
  await mkdir(stagingDir, { recursive: true });

  const sseClients = new Set<http.ServerResponse>();
  const context: HandlerContext = {
    emit<E extends EventName>(event: E, payload: EventMap[E]) {
      const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
      for (const res of sseClients) res.write(frame);
    },
  };

  let port = 0;
  let cookieName = 'osteoplan_token';
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const securityHeaders = (res: http.ServerResponse) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
  };

  const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  const sendText = (res: http.ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };

  async function readJson(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_JSON_BYTES) throw Object.assign(new Error('Request body too large.'), { status: 413 });
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text);
    } catch {
      throw Object.assign(new Error('The request body is not valid JSON.'), { status: 400 });
    }
  }

  /** Removes the upload folders a finished import came from; the library keeps its own copy. */
  async function removeStaged(paths: string[]): Promise<void> {
    const roots = new Set<string>();
    for (const p of paths) {
      const abs = path.resolve(p);
      if (!isInside(abs, stagingDir)) continue;
      const first = path.relative(stagingDir, abs).split(path.sep)[0];
      if (first && UPLOAD_ID.test(first)) roots.add(path.join(stagingDir, first));
    }
    await Promise.all([...roots].map((r) => rm(r, { recursive: true, force: true })));
  }

  /**
   * Uploads a finished request came from. A CD stays staged after media:read (the user is still
   * choosing studies) and after a failed media:import or scan import (the dialog may retry).
   */
  function stagedPathsDone(channel: string, payload: unknown, ok: boolean): string[] {
    const p = (payload ?? {}) as { paths?: unknown; dicomdirPath?: unknown; path?: unknown };
    const strings = (v: unknown[]) => v.filter((x): x is string => typeof x === 'string');
    if (channel === 'import:paths' && Array.isArray(p.paths)) return strings(p.paths);
    if (ok && channel === 'media:import') return strings([p.dicomdirPath]);
    if (ok && channel === 'import:scannedFilm') return strings([p.path]);
    return [];
  }

  async function handleInvoke(req: http.IncomingMessage, res: http.ServerResponse, channel: string) {
    if (req.method !== 'POST') return sendText(res, 405, 'POST only.');
    let payload: unknown;
    try {
      payload = await readJson(req);
    } catch (err) {
      const e = err as Error & { status?: number };
      return sendJson(res, e.status ?? 400, fail('INVALID_INPUT', e.message));
    }
    if (channel === 'dialog:openPaths') {
      return sendJson(res, 200, fail('FORBIDDEN', 'The native file dialog exists only in the desktop app; the browser uses its own file chooser.'));
    }
    const result = await dispatch(backend.handlers, channel, payload, context);
    await removeStaged(stagedPathsDone(channel, payload, result.ok)).catch(() => {});
    sendJson(res, 200, result);
  }

  async function handleUpload(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    if (req.method !== 'POST') return sendText(res, 405, 'POST only.');
    const name = url.searchParams.get('name') ?? (req.headers['x-file-name'] ? decodeURIComponent(String(req.headers['x-file-name'])) : '');
    const parts = safeRelativeName(name);
    if (!parts) return sendJson(res, 400, fail('INVALID_INPUT', `"${name.slice(0, 200)}" is not a usable file name.`));
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > maxUploadBytes) {
      req.resume();
      return sendJson(res, 413, fail('INVALID_INPUT', `The file is larger than the ${Math.round(maxUploadBytes / 1024 ** 2)} MB upload limit.`));
    }
    let uploadId = url.searchParams.get('uploadId');
    if (uploadId !== null) {
      // Only folders this bridge created may be reused; the page cannot name a new one.
      const ok = UPLOAD_ID.test(uploadId) && (await stat(path.join(stagingDir, uploadId)).then((s) => s.isDirectory(), () => false));
      if (!ok) return sendJson(res, 400, fail('INVALID_INPUT', 'Unknown upload id.'));
    } else {
      uploadId = randomBytes(16).toString('hex');
    }
    const root = path.join(stagingDir, uploadId);
    const target = path.join(root, ...parts);
    if (!isInside(target, root)) return sendJson(res, 400, fail('INVALID_INPUT', 'Unsafe file name.'));
    await mkdir(path.dirname(target), { recursive: true });
    let received = 0;
    const limiter = async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        received += chunk.length;
        if (received > maxUploadBytes) throw Object.assign(new Error('too large'), { status: 413 });
        yield chunk;
      }
    };
    try {
      await pipeline(req, limiter, createWriteStream(target, { flags: 'wx' }));
    } catch (err) {
      const e = err as Error & { status?: number; code?: string };
      // 'wx' refused an existing name: that file belongs to an earlier upload, keep it.
      if (e.code !== 'EEXIST') await unlink(target).catch(() => {});
      if (e.status === 413) {
        return sendJson(res, 413, fail('INVALID_INPUT', `The file is larger than the ${Math.round(maxUploadBytes / 1024 ** 2)} MB upload limit.`));
      }
      if (e.code === 'EEXIST') return sendJson(res, 409, fail('INVALID_INPUT', `"${parts.join('/')}" was already uploaded in this batch.`));
      return sendJson(res, 500, toFailure(err));
    }
    const body: Result<{ path: string; uploadId: string; root: string }> = ok({ path: target, uploadId, root });
    sendJson(res, 200, body);
  }

  function handleEvents(req: http.IncomingMessage, res: http.ServerResponse) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write(`retry: 2000\n: connected ${EVENT_NAMES.join(',')}\n\n`);
    sseClients.add(res);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(ping);
      sseClients.delete(res);
    });
  }

  async function handleImage(res: http.ServerResponse, idText: string) {
    if (!/^[1-9][0-9]{0,15}$/.test(idText)) return sendText(res, 400, 'Bad image id.');
    let file: string;
    let size: number;
    try {
      file = backend.resolveImagePath(Number(idText));
      size = (await stat(file)).size;
    } catch {
      return sendText(res, 404, 'No such image.');
    }
    res.writeHead(200, { 'Content-Type': 'application/dicom', 'Content-Length': size });
    await pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), res).catch(() => res.destroy());
  }

  async function handleStatic(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'GET only.');
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return sendText(res, 400, 'Bad path.');
    }
    if (pathname.includes('\0') || pathname.includes('\\')) return sendText(res, 400, 'Bad path.');
    const parts = pathname.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.some((p) => p === '..')) return sendText(res, 400, 'Bad path.');
    const file = path.join(staticDir, ...(parts.length ? parts : ['index.html']));
    let real: string;
    try {
      real = await realpath(file);
      if (!isInside(real, staticDir) || !(await stat(real)).isFile()) throw new Error('outside');
    } catch {
      return sendText(res, 404, 'Not found.');
    }
    const type = CONTENT_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream';
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': (await stat(real)).size });
    if (req.method === 'HEAD') return res.end();
    await pipeline(createReadStream(real), res).catch(() => res.destroy());
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      securityHeaders(res);
      // DNS rebinding: a hostile page on evil.example resolving to 127.0.0.1 still sends its own Host.
      if (!req.headers.host || !allowedHosts().has(req.headers.host.toLowerCase())) return sendText(res, 403, 'Forbidden host.');
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const queryToken = url.searchParams.get('token');
      const cookieToken = parseCookies(req.headers.cookie).get(cookieName);
      const viaQuery = queryToken !== null && safeEqual(queryToken, token);
      const viaCookie = cookieToken !== undefined && safeEqual(cookieToken, token);
      if (!viaQuery && !viaCookie) return sendText(res, 403, 'Forbidden: open the address the app printed (it carries the launch token).');
      // SameSite=Strict already stops cross-site requests; an Origin check closes the rest.
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== 'null' && !allowedHosts().has(origin.replace(/^http:\/\//, ''))) return sendText(res, 403, 'Forbidden origin.');
      if (viaQuery) res.setHeader('Set-Cookie', `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`);

      const p = url.pathname;
      if (p.startsWith('/api/invoke/')) return handleInvoke(req, res, decodeURIComponent(p.slice('/api/invoke/'.length)));
      if (p === '/api/events') return handleEvents(req, res);
      if (p.startsWith('/api/image/')) return handleImage(res, p.slice('/api/image/'.length));
      if (p === '/api/upload') return handleUpload(req, res, url);
      if (p.startsWith('/api/')) return sendText(res, 404, 'Unknown API route.');
      return handleStatic(req, res, url);
    })().catch((err) => {
      if (!res.headersSent) sendJson(res, 500, toFailure(err));
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  // Cookies are shared across ports of one host: a name per port keeps two bridges apart.
  cookieName = `osteoplan_token_${port}`;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/?token=${encodeURIComponent(token)}`,
    origin,
    token,
    port,
    stagingDir,
    async close() {
      for (const res of sseClients) res.end();
      sseClients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(stagingDir, { recursive: true, force: true }).catch(() => {});
    },
  };
}
