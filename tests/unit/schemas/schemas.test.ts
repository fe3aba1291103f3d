/* eslint-disable @typescript-eslint/no-explicit-any -- the malformed-input cases mutate arbitrary JSON on purpose */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CalibrationSchema, UserCalibrationSchema } from '../../../shared/schemas/calibration';
import { LandmarkSetSchema, parseLandmarkSet } from '../../../shared/schemas/landmark-set';
import { parsePlan, PlanSchema } from '../../../shared/schemas/plan';
import { engineErrorCode } from '../helpers/engine-error';

const golden = (name: string): unknown => JSON.parse(readFileSync(fileURLToPath(new URL(`../../fixtures/golden/${name}`, import.meta.url)), 'utf8'));
const clone = <T>(v: T): T => structuredClone(v);

describe('landmark set schema v1 (golden files)', () => {
  it('accepts the golden full and partial sets unchanged', () => {
    for (const name of ['landmark-set.v1.json', 'landmark-set.v1.partial.json']) {
      const input = golden(name);
      expect(parseLandmarkSet(input)).toEqual(input);
    }
  });

  it('fills the optional contour and user calibration with their defaults', () => {
    const input = clone(golden('landmark-set.v1.json')) as Record<string, unknown>;
    delete input.femoralHeadContour;
    delete input.userCalibration;
    expect(parseLandmarkSet(input)).toMatchObject({ femoralHeadContour: [], userCalibration: null });
  });

  it('rejects malformed sets with a message naming the field', () => {
    const base = golden('landmark-set.v1.json') as Record<string, any>;
    const bad: [string, (s: Record<string, any>) => void, RegExp][] = [
      ['no side', (s) => delete s.side, /side/],
      ['side X', (s) => (s.side = 'X'), /side/],
      ['unknown landmark', (s) => (s.landmarks.kneeCenter = { x: 1, y: 1, placedBy: 'user' }), /kneeCenter|landmarks/],
      ['string coordinate', (s) => (s.landmarks.kneeCentre.x = '820'), /landmarks\.kneeCentre\.x/],
      ['NaN coordinate', (s) => (s.landmarks.kneeCentre.y = Number.NaN), /landmarks\.kneeCentre\.y/],
      ['missing placedBy', (s) => delete s.landmarks.kneeCentre.placedBy, /placedBy/],
      ['bad UID', (s) => (s.sopInstanceUid = '1.2.abc'), /sopInstanceUid/],
      ['negative frame', (s) => (s.frame = -1), /frame/],
      ['unknown variant', (s) => (s.variants.kneeCentre = 'notch'), /variants\.kneeCentre/],
      ['extra field', (s) => (s.hka = -5), /hka|Unrecognized/],
      ['circle of two points', (s) => (s.userCalibration = { kind: 'circle', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }], diameterMm: 25 }), /userCalibration/],
      ['zero-length marker', (s) => (s.userCalibration = { kind: 'line', from: { x: 0, y: 0 }, to: { x: 1, y: 0 }, lengthMm: 0 }), /lengthMm/],
    ];
    for (const [name, mutate, message] of bad) {
      const s = clone(base);
      mutate(s);
      expect(() => parseLandmarkSet(s), name).toThrow(message);
      expect(engineErrorCode(() => parseLandmarkSet(s)), name).toBe('INVALID_INPUT');
    }
  });

  it('refuses a set from a newer Osteoplan with a clear message', () => {
    const s = { ...(golden('landmark-set.v1.json') as object), schemaVersion: 2 };
    expect(engineErrorCode(() => parseLandmarkSet(s))).toBe('UNSUPPORTED_VERSION');
    expect(() => parseLandmarkSet(s)).toThrow(/schemaVersion 2; this Osteoplan reads up to 1/);
    expect(LandmarkSetSchema.safeParse(s).success).toBe(false);
  });
});

describe('plan schema v1 (golden files)', () => {
  it('accepts the golden plans unchanged', () => {
    for (const name of ['plan.v1.json', 'plan.v1.double-level.json']) {
      const input = golden(name);
      expect(parsePlan(input)).toEqual(input);
    }
  });

  it('applies defaults for a minimal plan', () => {
    expect(parsePlan({ schemaVersion: 1, name: 'x', procedure: 'hto-lateral-closing', target: { kind: 'wbl', percent: 55, preset: 'consensus' } })).toEqual({
      schemaVersion: 1,
      name: 'x',
      date: null,
      surgeon: null,
      procedure: 'hto-lateral-closing',
      target: { kind: 'wbl', percent: 55, preset: 'consensus' },
      hinge: null,
      cutEntry: null,
      softTissue: { method: 'none' },
      doubleLevel: null,
      notes: '',
    });
  });

  it('rejects malformed plans', () => {
    const base = golden('plan.v1.json') as Record<string, any>;
    const bad: [string, (p: Record<string, any>) => void][] = [
      ['unknown procedure', (p) => (p.procedure = 'tka')],
      ['preset with the wrong percent', (p) => (p.target = { kind: 'wbl', percent: 60, preset: 'fujisawa' })],
      ['target above 100 %', (p) => (p.target = { kind: 'wbl', percent: 120, preset: 'custom' })],
      ['HKA target out of range', (p) => (p.target = { kind: 'hka', deg: 45 })],
      ['bad date', (p) => (p.date = '03/12/2026')],
      ['empty name', (p) => (p.name = '')],
      ['hinge with placedBy', (p) => (p.hinge = { x: 1, y: 2, placedBy: 'user' })],
      ['negative ΔJLCA', (p) => (p.softTissue = { method: 'lmlr', deltaJlcaDeg: -1 })],
      ['MPTA limit 100', (p) => (p.doubleLevel = { maxPostOpMptaDeg: 100 })],
    ];
    for (const [name, mutate] of bad) {
      const p = clone(base);
      mutate(p);
      expect(PlanSchema.safeParse(p).success, name).toBe(false);
      expect(engineErrorCode(() => parsePlan(p)), name).toBe('INVALID_INPUT');
    }
    expect(engineErrorCode(() => parsePlan({ ...base, schemaVersion: 3 }))).toBe('UNSUPPORTED_VERSION');
  });
});

describe('calibration schema (golden file)', () => {
  it('accepts every golden calibration value', () => {
    for (const c of golden('calibration.v1.json') as unknown[]) expect(CalibrationSchema.parse(c)).toEqual(c);
  });
  it('requires spacing exactly when calibrated', () => {
    expect(CalibrationSchema.safeParse({ type: 'detector', rowSpacingMm: null, columnSpacingMm: null, source: 'x', note: null }).success).toBe(false);
    expect(CalibrationSchema.safeParse({ type: 'uncalibrated', rowSpacingMm: 0.1, columnSpacingMm: 0.1, source: 'x', note: null }).success).toBe(false);
    expect(CalibrationSchema.safeParse({ type: 'calibrated', rowSpacingMm: 0, columnSpacingMm: 0.1, source: 'x', note: null }).success).toBe(false);
  });
  it('a circle marker defaults to a 25 mm sphere', () => {
    const m = UserCalibrationSchema.parse({ kind: 'circle', points: [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 1 }] });
    expect(m).toMatchObject({ diameterMm: 25 });
  });
});
