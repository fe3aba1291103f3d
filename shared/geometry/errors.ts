// Typed engine errors (issue 3): the engine never lets NaN reach the screen. Internally a
// computation that cannot proceed throws an EngineError with a stable code; the measurement layer
// turns it into an `unavailable` result with the message as its reason.

export type EngineErrorCode =
  | 'MISSING_LANDMARK'
  | 'DEGENERATE_GEOMETRY'
  | 'INVALID_SPACING'
  | 'INVALID_INPUT'
  | 'CALIBRATION_REQUIRED'
  | 'UNSUPPORTED_VERSION';

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  /** Landmark ids that were needed and absent (MISSING_LANDMARK only). */
  readonly missing: readonly string[];
  constructor(code: EngineErrorCode, message: string, missing: readonly string[] = []) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
    this.missing = missing;
  }
}

/** Narrowing helper for catch blocks (issue 3: typed errors). */
export const isEngineError = (err: unknown): err is EngineError => err instanceof EngineError;

/**
 * For the IPC envelope (architecture.md §3): an engine error becomes a stable app error code —
 * CALIBRATION_MISSING when a mm value needs calibration, INVALID_INPUT for everything else the
 * user can fix (missing or degenerate landmarks, bad spacing, a file from a newer version).
 */
export function engineErrorToAppErrorPayload(err: EngineError): { code: 'INVALID_INPUT' | 'CALIBRATION_MISSING'; message: string } {
  return { code: err.code === 'CALIBRATION_REQUIRED' ? 'CALIBRATION_MISSING' : 'INVALID_INPUT', message: err.message };
}
