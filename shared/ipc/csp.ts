// The Content-Security-Policy every app document is served with, in Electron (app://) and by the
// browser bridge alike (architecture.md §2): from default-src 'none', adding only what the UI needs.
// 'wasm-unsafe-eval' and blob: workers are for the cornerstone codec web workers.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self' osteoplan-image: data: blob:",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
