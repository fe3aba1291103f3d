// The stored landmark set, schemaVersion 1 (clinical-spec §1–2; architecture.md §4): named
// landmarks in image pixel coordinates with provenance, keyed by SOP Instance UID + frame. Nothing
// derived is stored here; measurements are recomputed from it.
import { z } from 'zod';
import { ANKLE_CENTRE_VARIANTS, KNEE_CENTRE_VARIANTS, LANDMARK_IDS, PLATEAU_VARIANTS } from '../landmarks/ids';
import { PlacedPointSchema, parseVersioned } from './common';
import { UserCalibrationSchema } from './calibration';

export const LANDMARK_SET_SCHEMA_VERSION = 1;

export const LandmarkSetSchema = z
  .object({
    schemaVersion: z.literal(LANDMARK_SET_SCHEMA_VERSION),
    sopInstanceUid: z
      .string()
      .max(64)
      .regex(/^[0-9]+(\.[0-9]+)*$/, 'a DICOM UID: digits separated by dots'),
    frame: z.number().int().min(0),
    side: z.enum(['L', 'R']),
    imageFlipped: z.boolean(),
    variants: z
      .object({
        kneeCentre: z.enum(KNEE_CENTRE_VARIANTS),
        ankleCentre: z.enum(ANKLE_CENTRE_VARIANTS),
        plateau: z.enum(PLATEAU_VARIANTS),
      })
      .strict(),
    landmarks: z.partialRecord(z.enum(LANDMARK_IDS), PlacedPointSchema),
    /** Points on the femoral head contour; ≥ 3 give H by a least-squares circle (clinical-spec §2). */
    femoralHeadContour: z.array(PlacedPointSchema).max(64).default([]),
    /** The user's calibration marker on this image, if any (clinical-spec §4 rule 1). */
    userCalibration: UserCalibrationSchema.nullable().default(null),
  })
  .strict();

/** A parsed landmark set (defaults applied). */
export type LandmarkSet = z.output<typeof LandmarkSetSchema>;
/** What a writer may omit (contour and user calibration default to empty). */
export type LandmarkSetInput = z.input<typeof LandmarkSetSchema>;

/** Parses stored or imported JSON into a landmark set, with a clear message for anything wrong. */
export function parseLandmarkSet(input: unknown): LandmarkSet {
  return parseVersioned(LandmarkSetSchema, input, 'landmark set', LANDMARK_SET_SCHEMA_VERSION);
}
