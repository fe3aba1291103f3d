// Security of the browser bridge (architecture.md §2): token then HttpOnly cookie, Host and Origin
// checks, no path traversal in static files or uploads, upload size limit, the native dialog
// refused, staging removed after import. The handler table here is a small recording fake: this
// file tests the transport, the real backend is exercised by tests/e2e.
import http from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, safeRelativeName, type Bridge } from '../../electron/backend/bridge-server';
import type { HandlerTable } from '../../electron/backend/dispatch';
import { CONTENT_SECURITY_POLICY } from '../../shared/ipc/csp';
import { AppError } from '../../shared/ipc/result';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: { host: `127.0.0.1:${port}`, ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const json = (r: Reply) => JSON.parse(r.body.toString('utf8'));

describe('bridge server security', () => {
  let root: string;
  let dataDir: string;
  let staticDir: string;
  let bridge: Bridge;
  let cookie: string;
  const importedPaths: string[][] = [];
  const imageFile = () => path.join(root, 'image.dcm');

  const handlers = {
    'app:info': () => ({ version: 'test', mode: 'browser' as const, dataDir }),
    'library:listPatients': () => [],
    'library:getPatient': () => {
      throw new Error('not used');
    },
    'library:getImage': () => {
      throw new Error('not used');
    },
    'import:paths': (req: { paths: string[]; jobId?: string }, ctx: { emit: (e: 'import:progress', p: never) => void }) => {
      // What the real importer relies on: the staged file is readable while the import runs.
      importedPaths.push(req.paths.map((p) => `${p}=${readFileSync(p, 'utf8')}`));
      ctx.emit('import:progress', { jobId: req.jobId ?? 'j', filesDone: 1, filesTotal: 1, bytesDone: 5, bytesTotal: 5, currentPath: null } as never);
      return { jobId: req.jobId ?? 'j', imported: [], duplicates: [], skipped: [], cancelled: false };
    },
    'import:cancel': () => ({ cancelled: false }),
    'dialog:openPaths': () => ['/etc/passwd'],
    'media:read': () => ({ dicomdirPath: 'x', fileSetId: null, patients: [], missing: [], warnings: [] }),
    'media:import': (req: { dicomdirPath: string; jobId?: string }) => ({ jobId: req.jobId ?? 'm', imported: [], duplicates: [], skipped: [], cancelled: false }),
    'import:scannedFilm': (req: { path: string; studyDescription: string | null }) => {
      if (req.studyDescription === 'fail') throw new AppError('INVALID_INPUT', 'Not a PNG or JPEG image.');
      return { jobId: 's', imported: [], duplicates: [], skipped: [], cancelled: false };
    },
  } as unknown as HandlerTable;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'osteoplan-bridge-'));
    dataDir = path.join(root, 'data');
    staticDir = path.join(root, 'static');
    mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
    mkdirSync(dataDir);
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(root, 'secret.txt'), 'TOP SECRET');
    writeFileSync(imageFile(), 'DICM-BYTES');
    bridge = await startBridge({
      backend: {
        dataDir,
        handlers,
        resolveImagePath: (id: number) => {
          if (id !== 7) throw new Error('no such image');
          return imageFile();
        },
      },
      staticDir,
      maxUploadBytes: 1024,
    });
    const first = await request(bridge.port, { path: `/?token=${encodeURIComponent(bridge.token)}` });
    cookie = String(first.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  });

  afterAll(async () => {
    await bridge?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('binds to 127.0.0.1 and prints a URL carrying a long random token', () => {
    expect(bridge.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${bridge.port}/\\?token=`));
    expect(bridge.token.length).toBeGreaterThanOrEqual(40);
  });

  it('uses a different token on every launch', async () => {
    const other = await startBridge({ backend: { dataDir: path.join(root, 'd2'), handlers, resolveImagePath: imageFile }, staticDir });
    try {
      expect(other.token).not.toBe(bridge.token);
      expect(other.port).not.toBe(bridge.port);
    } finally {
      await other.close();
    }
  });

  it('refuses every route without the token or cookie', async () => {
    for (const p of ['/', '/index.html', '/assets/app.js', '/api/image/7', '/api/events']) {
      const r = await request(bridge.port, { path: p });
      expect(r.status, p).toBe(403);
    }
    const invoke = await request(bridge.port, { method: 'POST', path: '/api/invoke/app:info', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(invoke.status).toBe(403);
    const wrong = await request(bridge.port, { path: `/?token=${'x'.repeat(bridge.token.length)}` });
    expect(wrong.status).toBe(403);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const wrongCookie = await request(bridge.port, { path: '/', headers: { cookie: `${cookie.split('=')[0]}=nope` } });
    expect(wrongCookie.status).toBe(403);
  });

  it('answers the token with an HttpOnly SameSite=Strict cookie and the app CSP', async () => {
    const r = await request(bridge.port, { path: `/?token=${encodeURIComponent(bridge.token)}` });
    expect(r.status).toBe(200);
    const setCookie = String(r.headers['set-cookie']?.[0]);
    expect(setCookie).toContain(`=${bridge.token}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(r.body.toString()).toContain('<title>t</title>');
  });

  it('accepts the cookie alone for static files, invoke and images', async () => {
    const js = await request(bridge.port, { path: '/assets/app.js', headers: { cookie } });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    const info = await request(bridge.port, { method: 'POST', path: '/api/invoke/app:info', body: '{}', headers: { cookie, 'content-type': 'application/json' } });
    expect(json(info)).toEqual({ ok: true, value: { version: 'test', mode: 'browser', dataDir } });
    const img = await request(bridge.port, { path: '/api/image/7', headers: { cookie } });
    expect(img.status).toBe(200);
    expect(img.body.toString()).toBe('DICM-BYTES');
    expect((await request(bridge.port, { path: '/api/image/8', headers: { cookie } })).status).toBe(404);
    expect((await request(bridge.port, { path: '/api/image/..%2f..%2fsecret.txt', headers: { cookie } })).status).toBe(400);
  });

  it('rejects a foreign Host header (DNS rebinding) even with the token', async () => {
    const evil = await request(bridge.port, { path: `/?token=${encodeURIComponent(bridge.token)}`, headers: { host: `evil.example:${bridge.port}` } });
    expect(evil.status).toBe(403);
    const otherPort = await request(bridge.port, { path: '/', headers: { host: `127.0.0.1:${bridge.port + 1}`, cookie } });
    expect(otherPort.status).toBe(403);
    const localhost = await request(bridge.port, { path: '/', headers: { host: `localhost:${bridge.port}`, cookie } });
    expect(localhost.status).toBe(200);
  });

  it('rejects a cross-origin POST', async () => {
    const r = await request(bridge.port, {
      method: 'POST',
      path: '/api/invoke/app:info',
      body: '{}',
      headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/json' },
    });
    expect(r.status).toBe(403);
  });

  it('never serves a file outside the static folder', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%00index.html', '//etc/passwd']) {
      const r = await request(bridge.port, { path: p, headers: { cookie } });
      expect([400, 404], p).toContain(r.status);
      expect(r.body.toString()).not.toContain('TOP SECRET');
    }
  });

  it('refuses the native dialog channel and validates requests', async () => {
    const dialog = await request(bridge.port, { method: 'POST', path: '/api/invoke/dialog:openPaths', body: '{"kind":"files"}', headers: { cookie } });
    expect(json(dialog)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const unknown = await request(bridge.port, { method: 'POST', path: '/api/invoke/fs:readFile', body: '{}', headers: { cookie } });
    expect(json(unknown)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const bad = await request(bridge.port, { method: 'POST', path: '/api/invoke/app:info', body: '{not json', headers: { cookie } });
    expect(json(bad)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const extra = await request(bridge.port, { method: 'POST', path: '/api/invoke/app:info', body: '{"x":1}', headers: { cookie } });
    expect(json(extra)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('reduces upload names to safe names inside staging, and refuses traversal', async () => {
    expect(safeRelativeName('a/b/c.dcm')).toEqual(['a', 'b', 'c.dcm']);
    expect(safeRelativeName('../x')).toBeNull();
    expect(safeRelativeName('a/../../x')).toBeNull();
    expect(safeRelativeName('..')).toBeNull();
    expect(safeRelativeName('')).toBeNull();
    expect(safeRelativeName('C:\\Windows\\evil.dcm')).toEqual(['C_', 'Windows', 'evil.dcm']);

    for (const name of ['../../escape.dcm', '..', '/', 'a/../../b.dcm']) {
      const r = await request(bridge.port, { method: 'POST', path: `/api/upload?name=${encodeURIComponent(name)}`, body: 'hello', headers: { cookie } });
      expect(r.status, name).toBe(400);
      expect(json(r)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    const abs = await request(bridge.port, { method: 'POST', path: `/api/upload?name=${encodeURIComponent('/etc/passwd')}`, body: 'hello', headers: { cookie } });
    // An absolute name loses its root: it lands as staging/<id>/etc/passwd, never /etc/passwd.
    const staged = json(abs).value.path as string;
    expect(path.relative(bridge.stagingDir, staged).startsWith('..')).toBe(false);
    expect(staged.endsWith(path.join('etc', 'passwd'))).toBe(true);
    expect(readFileSync(staged, 'utf8')).toBe('hello');
    expect(existsSync(path.join(root, 'escape.dcm'))).toBe(false);
    // The page cannot choose the upload folder.
    const forged = await request(bridge.port, { method: 'POST', path: `/api/upload?name=x.dcm&uploadId=${'0'.repeat(32)}`, body: 'x', headers: { cookie } });
    expect(forged.status).toBe(400);
    const traversalId = await request(bridge.port, { method: 'POST', path: `/api/upload?name=x.dcm&uploadId=..`, body: 'x', headers: { cookie } });
    expect(traversalId.status).toBe(400);
  });

  it('enforces the upload size limit and leaves no partial file', async () => {
    const big = Buffer.alloc(4096, 1);
    const r = await request(bridge.port, { method: 'POST', path: '/api/upload?name=big.dcm', body: big, headers: { cookie } });
    expect(r.status).toBe(413);
    const leftovers = readdirSync(bridge.stagingDir, { recursive: true }).map(String).filter((f) => f.endsWith('big.dcm'));
    expect(leftovers).toEqual([]);
  });

  it('imports staged uploads, streams progress over SSE, then removes the staging folder', async () => {
    const events: string[] = [];
    const sse = http.get({ host: '127.0.0.1', port: bridge.port, path: '/api/events', headers: { host: `127.0.0.1:${bridge.port}`, cookie } });
    const sseReady = new Promise<http.IncomingMessage>((resolve) => sse.on('response', resolve));
    const res = await sseReady;
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    res.on('data', (c: Buffer) => events.push(c.toString()));

    const a = json(await request(bridge.port, { method: 'POST', path: '/api/upload?name=dir%2Fa.dcm', body: 'AAAAA', headers: { cookie } })).value;
    const b = json(await request(bridge.port, { method: 'POST', path: `/api/upload?name=dir%2Fb.dcm&uploadId=${a.uploadId}`, body: 'BBBBB', headers: { cookie } })).value;
    expect(b.root).toBe(a.root);
    expect(path.dirname(b.path)).toBe(path.dirname(a.path));
    const dup = await request(bridge.port, { method: 'POST', path: `/api/upload?name=dir%2Fb.dcm&uploadId=${a.uploadId}`, body: 'CCCCC', headers: { cookie } });
    expect(dup.status).toBe(409);

    const report = await request(bridge.port, {
      method: 'POST',
      path: '/api/invoke/import:paths',
      body: JSON.stringify({ paths: [a.path, b.path], jobId: 'job-1' }),
      headers: { cookie, 'content-type': 'application/json' },
    });
    expect(json(report)).toMatchObject({ ok: true, value: { jobId: 'job-1' } });
    expect(importedPaths.at(-1)).toEqual([`${a.path}=AAAAA`, `${b.path}=BBBBB`]);
    expect(existsSync(a.root)).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    const stream = events.join('');
    expect(stream).toContain('event: import:progress');
    expect(stream).toContain('"jobId":"job-1"');
    sse.destroy();
  });

  it('keeps a staged CD while the user chooses, removes it after media:import; keeps a scan for a retry after a failure', async () => {
    const upload = async (name: string) => json(await request(bridge.port, { method: 'POST', path: `/api/upload?name=${encodeURIComponent(name)}`, body: 'DATA', headers: { cookie } })).value;
    const invoke = async (channel: string, body: unknown) =>
      json(await request(bridge.port, { method: 'POST', path: `/api/invoke/${channel}`, body: JSON.stringify(body), headers: { cookie, 'content-type': 'application/json' } }));

    const cd = await upload('CD/DICOMDIR');
    expect((await invoke('media:read', { path: cd.path })).ok).toBe(true);
    expect(existsSync(cd.root)).toBe(true);
    expect((await invoke('media:import', { dicomdirPath: cd.path, studyInstanceUids: ['1.2.3'] })).ok).toBe(true);
    expect(existsSync(cd.root)).toBe(false);

    const scan = await upload('film.png');
    const film = { path: scan.path, patient: { patientId: 'P1', name: 'Doe^Jane', birthDate: null, sex: null }, studyDate: '2026-01-02', laterality: 'R' };
    expect(await invoke('import:scannedFilm', { ...film, studyDescription: 'fail' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(existsSync(scan.root)).toBe(true);
    expect((await invoke('import:scannedFilm', { ...film, studyDescription: null })).ok).toBe(true);
    expect(existsSync(scan.root)).toBe(false);
  });
});
