import { expect } from 'vitest';
import { EngineError } from '../../../shared/geometry/errors';

/** Runs fn, expects it to throw an EngineError and returns its code; fails the test when nothing is thrown. */
export function engineErrorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return (e as EngineError).code;
  }
  throw new Error('expected an EngineError');
}
