// Shared zod pieces and the version gate for stored engine documents (issue 3: versioned schemas
// used by IPC and the database).
import { z } from 'zod';
import { EngineError } from '../geometry/errors';

/** Pixel coordinates are floats, never rounded (clinical-spec §1); bounded to catch garbage. */
const coordinate = z.number().finite().min(-1e6).max(1e6);

export const PixelPointSchema = z.object({ x: coordinate, y: coordinate }).strict();
export type PixelPoint = z.infer<typeof PixelPointSchema>;

export const PlacedPointSchema = z
  .object({ x: coordinate, y: coordinate, placedBy: z.enum(['user', 'suggested']) })
  .strict();
export type PlacedPoint = z.infer<typeof PlacedPointSchema>;

export const positiveMm = z.number().finite().positive().max(10_000);

/**
 * Parses a versioned document: a newer schemaVersion is refused with a clear message (the file
 * came from a newer Osteoplan), anything malformed becomes INVALID_INPUT listing every problem.
 */
export function parseVersioned<T extends z.ZodType>(schema: T, input: unknown, what: string, currentVersion: number): z.output<T> {
  const version = (input as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > currentVersion) {
    throw new EngineError(
      'UNSUPPORTED_VERSION',
      `This ${what} has schemaVersion ${version}; this Osteoplan reads up to ${currentVersion}. Update Osteoplan to open it.`,
    );
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new EngineError('INVALID_INPUT', `Invalid ${what}:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
