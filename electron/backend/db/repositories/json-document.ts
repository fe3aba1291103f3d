// What landmark sets and plans have in common as stored documents (architecture.md §4): each goes
// through its versioned schema on the way in and out, and is stored as canonical JSON so a save
// that changes nothing is recognised by string equality and adds no revision.
import { engineErrorToAppErrorPayload, isEngineError } from '../../../../shared/geometry/errors';
import { AppError } from '../../../../shared/ipc/result';

/**
 * JSON with object keys sorted at every level, so the same document always gives the same text.
 * Numbers keep JSON.stringify's shortest round-trip form: parsing the text gives back the
 * identical doubles (clinical-spec §1: pixel coordinates are never rounded).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/** Runs a versioned schema's parser (parseLandmarkSet, parsePlan); its engine errors become app errors with the same message. */
export function parseDocument<T>(parse: (input: unknown) => T, input: unknown): T {
  try {
    return parse(input);
  } catch (err) {
    if (isEngineError(err)) {
      const { code, message } = engineErrorToAppErrorPayload(err);
      throw new AppError(code, message);
    }
    throw err;
  }
}
