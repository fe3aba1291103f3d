// The result envelope every IPC channel returns (architecture.md §3): no exception crosses the
// process boundary, only plain data with a stable error code the UI can act on.

export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'DICOM_UNREADABLE',
  'UNSUPPORTED_TRANSFER_SYNTAX',
  'CALIBRATION_MISSING',
  'DB_FROM_FUTURE',
  'DISK_FULL',
  'CANCELLED',
  'FORBIDDEN',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorPayload {
  code: ErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorPayload };

/** An error the backend raises on purpose, carrying a code the envelope keeps. */
export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
  }
}

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string): Result<never> => ({ ok: false, error: { code, message } });

/** Turns anything thrown into the envelope; unknown errors become INTERNAL with their message. */
export function toFailure(err: unknown): Result<never> {
  if (err instanceof AppError) return fail(err.code, err.message);
  const e = err as { code?: unknown; message?: unknown };
  if (e && (e.code === 'ENOSPC' || e.code === 'SQLITE_FULL')) {
    return fail('DISK_FULL', 'The disk is full: nothing was changed. Free some space and try again.');
  }
  const message = e && typeof e.message === 'string' ? e.message : String(err);
  return fail('INTERNAL', message);
}
