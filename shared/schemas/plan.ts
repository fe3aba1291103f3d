// The stored osteotomy plan, schemaVersion 1 (clinical-spec §5). Only the surgeon's choices are
// stored (procedure, target, hinge and cut entry in pixel coordinates, soft-tissue method);
// wedge angle, gap and predicted values are recomputed from (landmarks, calibration, plan).
import { z } from 'zod';
import { PixelPointSchema, parseVersioned } from './common';

export const PLAN_SCHEMA_VERSION = 1;

export const PROCEDURES = [
  'hto-medial-opening',
  'hto-lateral-closing',
  'dfo-lateral-opening',
  'dfo-medial-closing',
  'double-level',
] as const;
export type Procedure = (typeof PROCEDURES)[number];

/** clinical-spec §5 target presets: Fujisawa 62.5 %, recent consensus 55 %, neutral 50 %. */
export const WBL_TARGET_PRESETS = { fujisawa: 62.5, consensus: 55, neutral: 50 } as const;
export type WblPreset = keyof typeof WBL_TARGET_PRESETS;

export const PlanTargetSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('wbl'),
      /** Where the post-op mechanical axis should cross the plateau, % from the medial edge. */
      percent: z.number().finite().min(0).max(100),
      preset: z.enum(['fujisawa', 'consensus', 'neutral', 'custom']).default('custom'),
    })
    .strict()
    .refine((t) => t.preset === 'custom' || t.percent === WBL_TARGET_PRESETS[t.preset], {
      message: 'A preset target must carry its preset percent (fujisawa 62.5, consensus 55, neutral 50); use preset "custom" for another value.',
    }),
  z
    .object({
      kind: z.literal('hka'),
      /** Post-op HKA as a deviation from 180°, negative = varus (clinical-spec §3). */
      deg: z.number().finite().min(-20).max(20),
    })
    .strict(),
]);
export type PlanTarget = z.infer<typeof PlanTargetSchema>;

export const SoftTissueSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('none') }).strict(),
  /** Micicoi: reduce the correction by (JLCA − 2)/2 when JLCA > 2° (clinical-spec §5). */
  z.object({ method: z.literal('micicoi') }).strict(),
  /** LMLR: the correction adjusted for ΔJLCA, simple or regression form (clinical-spec §5). */
  z
    .object({
      method: z.literal('lmlr'),
      deltaJlcaDeg: z.number().finite().min(0).max(20),
      formula: z.enum(['simple', 'regression']).default('regression'),
    })
    .strict(),
]);
export type SoftTissueAdjustment = z.infer<typeof SoftTissueSchema>;

export const PlanSchema = z
  .object({
    schemaVersion: z.literal(PLAN_SCHEMA_VERSION),
    name: z.string().min(1).max(200),
    /** Planned operation date, YYYY-MM-DD. */
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
      .nullable()
      .default(null),
    surgeon: z.string().max(200).nullable().default(null),
    procedure: z.enum(PROCEDURES),
    target: PlanTargetSchema,
    /** Hinge point in image pixels; null = the default from the landmarks (clinical-spec §5). */
    hinge: PixelPointSchema.nullable().default(null),
    /** Cut entry point in image pixels; null = the default from the landmarks. */
    cutEntry: PixelPointSchema.nullable().default(null),
    softTissue: SoftTissueSchema.default({ method: 'none' }),
    /** Double-level only: the tibial share stops at this post-op MPTA; the femur does the rest. */
    doubleLevel: z
      .object({
        maxPostOpMptaDeg: z.number().finite().min(85).max(95).default(90),
        femoralHinge: PixelPointSchema.nullable().default(null),
        femoralCutEntry: PixelPointSchema.nullable().default(null),
      })
      .strict()
      .nullable()
      .default(null),
    notes: z.string().max(5000).default(''),
  })
  .strict();

export type Plan = z.output<typeof PlanSchema>;
export type PlanInput = z.input<typeof PlanSchema>;

/** Parses stored or imported JSON into a plan, with a clear message for anything wrong. */
export function parsePlan(input: unknown): Plan {
  return parseVersioned(PlanSchema, input, 'plan', PLAN_SCHEMA_VERSION);
}
