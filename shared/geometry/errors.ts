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

export const isEngineError = (err: unknown): err is EngineError => err instanceof EngineError;

/** Guards every number the engine hands outward (issue 3: never NaN on screen). */
export function requireFinite(value: number, what: string): number {
  if (!Number.isFinite(value)) {
    throw new EngineError('DEGENERATE_GEOMETRY', `${what} cannot be computed from these points (coincident or parallel).`);
  }
  return value;
}
