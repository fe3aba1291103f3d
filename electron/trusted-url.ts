// Pure policy for what may leave the app (architecture.md §2): the UI never navigates, and only
// https links to a short list of documentation hosts open in the system browser. Kept free of
// 'electron' so the policy is unit-tested in plain Node.

const EXTERNAL_HOSTS = new Set(['www.dicomstandard.org', 'dicom.nema.org']);

export const APP_ORIGIN = 'app://osteoplan';

/** True when a URL may be opened in the user's browser (never inside the app). */
export function isTrustedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.username === '' && url.password === '' && EXTERNAL_HOSTS.has(url.hostname);
}

/** True when an IPC message comes from our own UI document, not from anything it might embed. */
export function isTrustedSenderUrl(raw: string | undefined | null): boolean {
  if (!raw) return false;
  try {
    const url = new URL(raw);
    return url.protocol === 'app:' && url.host === 'osteoplan';
  } catch {
    return false;
  }
}

/**
 * Maps an app:// request path to a file below the renderer folder, or null when the request
 * tries to leave it. Returns a relative path with forward slashes.
 */
export function resolveAppAsset(rawUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'app:' || url.host !== 'osteoplan') return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const parts = pathname.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return null;
  return parts.length === 0 ? 'index.html' : parts.join('/');
}

/** Parses `osteoplan-image://image/<id>` to a positive integer image id, or null. */
export function parseImageUrl(rawUrl: string): number | null {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'osteoplan-image:' || url.host !== 'image') return null;
  const m = /^\/(\d{1,15})$/.exec(url.pathname);
  if (!m) return null;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}
