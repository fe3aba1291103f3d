// Calibration value and the user's calibration marker (clinical-spec §4), as stored and sent over IPC.
import { z } from 'zod';
import { PixelPointSchema, positiveMm } from './common';

export const CALIBRATION_TYPES = ['user', 'calibrated', 'magnification-corrected', 'detector', 'uncalibrated'] as const;
export type CalibrationType = (typeof CALIBRATION_TYPES)[number];

const spacing = z.number().finite().positive().max(100);

/** clinical-spec §4: a calibration is a value with provenance; spacing is null only when uncalibrated. */
export const CalibrationSchema = z
  .object({
    type: z.enum(CALIBRATION_TYPES),
    rowSpacingMm: spacing.nullable(),
    columnSpacingMm: spacing.nullable(),
    source: z.string().min(1).max(500),
    note: z.string().max(1000).nullable(),
  })
  .strict()
  .refine((c) => (c.type === 'uncalibrated') === (c.rowSpacingMm === null) && (c.rowSpacingMm === null) === (c.columnSpacingMm === null), {
    message: 'Spacing must be null exactly when the type is uncalibrated.',
  });
export type Calibration = z.infer<typeof CalibrationSchema>;

/** clinical-spec §4: the default calibration marker is a 25 mm sphere. */
export const DEFAULT_SPHERE_DIAMETER_MM = 25;

/** clinical-spec §4 rule 1: a line over a marker of known length, or a circle fitted over a sphere. */
export const UserCalibrationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('line'), from: PixelPointSchema, to: PixelPointSchema, lengthMm: positiveMm }).strict(),
  z
    .object({
      kind: z.literal('circle'),
      points: z.array(PixelPointSchema).min(3).max(64),
      diameterMm: positiveMm.default(DEFAULT_SPHERE_DIAMETER_MM),
    })
    .strict(),
]);
export type UserCalibration = z.infer<typeof UserCalibrationSchema>;
