import { describe, expect, it } from 'vitest';
import {
  apparentSizeMm,
  calibrationFromSpacing,
  decideCalibration,
  magnificationCorrectedSpacing,
  magnificationFactorFromDistances,
  userCalibrationFromMarker,
  type CalibrationHeader,
} from '../../../shared/calibration/calibration';
import { CalibrationSchema } from '../../../shared/schemas/calibration';
import { engineErrorCode } from '../helpers/engine-error';

const header = (h: Partial<CalibrationHeader>): CalibrationHeader => ({
  modality: 'CR',
  pixelSpacing: null,
  imagerPixelSpacing: null,
  estimatedRadiographicMagnificationFactor: null,
  pixelSpacingCalibrationType: null,
  ...h,
});

describe('clinical-spec §4 worked checks', () => {
  it('a 32 mm disc at 10 / 15 / 17 % magnification appears 35.2 / 36.8 / 37.4 mm', () => {
    expect(apparentSizeMm(32, 10)).toBeCloseTo(35.2, 6);
    expect(apparentSizeMm(32, 15)).toBeCloseTo(36.8, 6);
    expect(apparentSizeMm(32, 17)).toBeCloseTo(37.44, 6);
    expect(apparentSizeMm(32, 17).toFixed(1)).toBe('37.4');
  });

  it('ImagerPixelSpacing 0.143 mm with SID 1800, SOD 1650 gives ERMF 1.0909 and 0.1311 mm/px', () => {
    const ermf = magnificationFactorFromDistances(1800, 1650);
    expect(ermf).toBeCloseTo(1800 / 1650, 12);
    expect(ermf.toFixed(4)).toBe('1.0909');
    const spacing = magnificationCorrectedSpacing(0.143, ermf);
    expect(spacing).toBeCloseTo((0.143 * 1650) / 1800, 12);
    expect(spacing.toFixed(4)).toBe('0.1311');
    // The same through the decision table (rule 3).
    const c = decideCalibration(header({ modality: 'DX', imagerPixelSpacing: [0.143, 0.143], estimatedRadiographicMagnificationFactor: ermf }));
    expect(c.type).toBe('magnification-corrected');
    expect(c.rowSpacingMm).toBeCloseTo(0.131083, 6);
    expect(c.columnSpacingMm).toBeCloseTo(0.131083, 6);
  });
});

describe('decideCalibration: the §4 decision table, in order', () => {
  it('1. a user marker always wins', () => {
    const c = decideCalibration(header({ modality: 'CT', pixelSpacing: [0.5, 0.5] }), {
      kind: 'line',
      from: { x: 0, y: 0 },
      to: { x: 300, y: 400 },
      lengthMm: 100,
    });
    expect(c.type).toBe('user');
    // The header's square aspect is kept: 100 mm over 500 px (0.5 aspect units each) → 0.2 mm/px.
    expect(c.rowSpacingMm).toBeCloseTo(0.2, 12);
    expect(c.columnSpacingMm).toBeCloseTo(0.2, 12);
  });

  it('2. PixelSpacing with a calibration type → calibrated, row spacing first', () => {
    const c = decideCalibration(header({ pixelSpacing: [0.2, 0.1], imagerPixelSpacing: [0.2, 0.1], pixelSpacingCalibrationType: 'GEOMETRY' }));
    expect(c).toMatchObject({ type: 'calibrated', rowSpacingMm: 0.2, columnSpacingMm: 0.1 });
    expect(c.source).toMatch(/GEOMETRY/);
  });

  it('2. PixelSpacing of a non-projection modality → calibrated', () => {
    expect(decideCalibration(header({ modality: 'CT', pixelSpacing: [0.7, 0.7] }))).toMatchObject({ type: 'calibrated', rowSpacingMm: 0.7 });
  });

  it('3. ImagerPixelSpacing with ERMF → magnification-corrected (fo-dicom OutOfBoundsOverlay: MG, IPS 0.085, ERMF 1.043)', () => {
    const c = decideCalibration(header({ modality: 'MG', imagerPixelSpacing: [0.085, 0.085], estimatedRadiographicMagnificationFactor: 1.043 }));
    expect(c.type).toBe('magnification-corrected');
    expect(c.rowSpacingMm).toBeCloseTo(0.085 / 1.043, 12);
  });

  it('4. ImagerPixelSpacing only, or equal to PixelSpacing → detector, with the 10–20 % warning', () => {
    for (const h of [header({ imagerPixelSpacing: [0.15, 0.15] }), header({ pixelSpacing: [0.15, 0.15], imagerPixelSpacing: [0.15, 0.15] })]) {
      const c = decideCalibration(h);
      expect(c).toMatchObject({ type: 'detector', rowSpacingMm: 0.15, columnSpacingMm: 0.15 });
      expect(c.note).toMatch(/10–20 %/);
    }
  });

  it('PixelSpacing different from ImagerPixelSpacing on a projection image → calibrated by the device', () => {
    const c = decideCalibration(header({ modality: 'DX', pixelSpacing: [0.13, 0.13], imagerPixelSpacing: [0.15, 0.15] }));
    expect(c).toMatchObject({ type: 'calibrated', rowSpacingMm: 0.13 });
  });

  it('PixelSpacing alone on a CR (nema-wg04 RG2: 0.2 mm) → detector, stated', () => {
    const c = decideCalibration(header({ modality: 'CR', pixelSpacing: [0.2, 0.2] }));
    expect(c).toMatchObject({ type: 'detector', rowSpacingMm: 0.2 });
    expect(c.note).toMatch(/10–20 %/);
  });

  it('5. nothing usable → uncalibrated; zero, non-finite and wrong-count spacing are named in the note', () => {
    expect(decideCalibration(header({}))).toMatchObject({ type: 'uncalibrated', rowSpacingMm: null, columnSpacingMm: null });
    // nema-wg04 RG1 carries PixelSpacing 0.000\0.000.
    const zero = decideCalibration(header({ pixelSpacing: [0, 0] }));
    expect(zero.type).toBe('uncalibrated');
    expect(zero.note).toMatch(/PixelSpacing \(0028,0030\) is 0\\0/);
    expect(decideCalibration(header({ imagerPixelSpacing: [Number.NaN, 0.1] })).type).toBe('uncalibrated');
    const vm1 = decideCalibration(header({ modality: 'CT', pixelSpacing: [0.5] }));
    expect(vm1.type).toBe('uncalibrated');
    expect(vm1.note).toMatch(/1 value\(s\) where 2 are required/);
    expect(decideCalibration(null).type).toBe('uncalibrated');
  });

  it('an unusable ERMF is ignored and the detector rule applies', () => {
    const c = decideCalibration(header({ imagerPixelSpacing: [0.1, 0.1], estimatedRadiographicMagnificationFactor: 0 }));
    expect(c.type).toBe('detector');
    expect(c.note).toMatch(/Magnification Factor .* is 0: ignored/);
  });

  it('every decision is a valid Calibration value for IPC and the database', () => {
    const cases = [
      header({}),
      header({ pixelSpacing: [0.2, 0.2] }),
      header({ imagerPixelSpacing: [0.15, 0.15], estimatedRadiographicMagnificationFactor: 1.1 }),
      header({ modality: 'CT', pixelSpacing: [0.5, 0.5] }),
    ];
    for (const h of cases) expect(CalibrationSchema.safeParse(decideCalibration(h)).success).toBe(true);
  });
});

describe('user calibration (clinical-spec §4 rule 1)', () => {
  it('a line of known length keeps non-square pixels non-square', () => {
    // Aspect row:column = 2:1. A vertical line of 100 px is 200 aspect units; 50 mm → 0.25 mm/unit.
    const c = userCalibrationFromMarker({ kind: 'line', from: { x: 10, y: 10 }, to: { x: 10, y: 110 }, lengthMm: 50 }, { row: 2, column: 1 });
    expect(c.rowSpacingMm).toBeCloseTo(0.5, 12);
    expect(c.columnSpacingMm).toBeCloseTo(0.25, 12);
    expect(c.source).toMatch(/user line of 50 mm/);
  });

  it('a circle fitted over a 25 mm sphere', () => {
    // 125 px radius → 250 px diameter → 0.1 mm/px.
    const pts = [0, 70, 140, 210, 280].map((a) => ({ x: 500 + 125 * Math.cos((a * Math.PI) / 180), y: 400 + 125 * Math.sin((a * Math.PI) / 180) }));
    const c = decideCalibration(header({}), { kind: 'circle', points: pts, diameterMm: 25 });
    expect(c.type).toBe('user');
    expect(c.rowSpacingMm).toBeCloseTo(0.1, 9);
    expect(c.columnSpacingMm).toBeCloseTo(0.1, 9);
    expect(c.source).toMatch(/25 mm sphere/);
  });

  it('a circle over a sphere on non-square pixels is an ellipse in pixels and still gives the right spacing', () => {
    // True spacing 0.1 (row) × 0.2 (column) mm/px; a 25 mm sphere is 250 px tall and 125 px wide.
    const pts = [0, 60, 130, 200, 290].map((a) => ({
      x: 300 + (12.5 / 0.2) * Math.cos((a * Math.PI) / 180),
      y: 300 + (12.5 / 0.1) * Math.sin((a * Math.PI) / 180),
    }));
    const c = decideCalibration(header({ imagerPixelSpacing: [0.11, 0.22] }), { kind: 'circle', points: pts, diameterMm: 25 });
    expect(c.rowSpacingMm).toBeCloseTo(0.1, 9);
    expect(c.columnSpacingMm).toBeCloseTo(0.2, 9);
  });

  it('a zero-length line or a collinear circle is refused, never NaN', () => {
    expect(engineErrorCode(() => userCalibrationFromMarker({ kind: 'line', from: { x: 1, y: 1 }, to: { x: 1, y: 1 }, lengthMm: 10 }))).toBe('DEGENERATE_GEOMETRY');
    expect(
      engineErrorCode(() =>
        userCalibrationFromMarker({ kind: 'circle', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 2 }], diameterMm: 25 }),
      ),
    ).toBe('DEGENERATE_GEOMETRY');
    expect(engineErrorCode(() => userCalibrationFromMarker({ kind: 'line', from: { x: 0, y: 0 }, to: { x: 10, y: 0 }, lengthMm: 0 }))).toBe('INVALID_SPACING');
  });
});

describe('explicit spacing', () => {
  it('rejects non-positive or non-finite spacing with a clear message', () => {
    for (const [r, c] of [
      [0, 0.1],
      [-1, 0.1],
      [Number.NaN, 0.1],
      [0.1, Number.POSITIVE_INFINITY],
    ]) {
      expect(engineErrorCode(() => calibrationFromSpacing(r!, c!, '--spacing'))).toBe('INVALID_SPACING');
    }
    expect(() => calibrationFromSpacing(0, 0.1, '--spacing')).toThrow(/from --spacing is 0 mm\/px: it must be a finite number greater than zero/);
  });
});
