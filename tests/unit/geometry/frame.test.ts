import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EngineError } from '../../../shared/geometry/errors';
import { createLegFrame, legToPixel, pixelToLeg, suggestImageFlipped } from '../../../shared/geometry/frame';

describe('leg frame (clinical-spec §1)', () => {
  it('puts lateral at −x for a right leg and +x for a left leg on a standard AP film; y up is proximal', () => {
    const right = createLegFrame('R', false, 0.2, 0.1);
    const left = createLegFrame('L', false, 0.2, 0.1);
    // 10 px right and 10 px down in the image.
    expect(pixelToLeg(right, { x: 10, y: 10 })).toEqual({ x: -1, y: -2 });
    expect(pixelToLeg(left, { x: 10, y: 10 })).toEqual({ x: 1, y: -2 });
  });

  it('scales x by column spacing and y by row spacing (PixelSpacing is row first)', () => {
    const f = createLegFrame('L', false, 0.3, 0.1);
    const p = pixelToLeg(f, { x: 100, y: 100 });
    expect(p.x).toBeCloseTo(10, 12);
    expect(p.y).toBeCloseTo(-30, 12);
  });

  it('a flipped image swaps the lateral direction', () => {
    expect(pixelToLeg(createLegFrame('R', true, 1, 1), { x: 5, y: 0 }).x).toBe(5);
    expect(pixelToLeg(createLegFrame('L', true, 1, 1), { x: 5, y: 0 }).x).toBe(-5);
  });

  it('legToPixel is the exact inverse of pixelToLeg', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('L' as const, 'R' as const),
        fc.boolean(),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        (side, flipped, r, c, x, y) => {
          const f = createLegFrame(side, flipped, r, c);
          const back = legToPixel(f, pixelToLeg(f, { x, y }));
          expect(back.x).toBeCloseTo(x, 8);
          expect(back.y).toBeCloseTo(y, 8);
        },
      ),
    );
  });

  it('rejects zero, negative and non-finite spacing with INVALID_SPACING', () => {
    for (const [r, c] of [
      [0, 0.1],
      [0.1, 0],
      [-0.1, 0.1],
      [Number.NaN, 0.1],
      [0.1, Number.POSITIVE_INFINITY],
    ]) {
      try {
        createLegFrame('L', false, r!, c!);
        expect.unreachable();
      } catch (e) {
        expect((e as EngineError).code).toBe('INVALID_SPACING');
        expect((e as Error).message).toMatch(/must be a finite number greater than zero/);
      }
    }
  });
});

describe('suggestImageFlipped from Patient Orientation (clinical-spec §1)', () => {
  it('L\\F is a standard AP view', () => {
    expect(suggestImageFlipped(['L', 'F'])).toMatchObject({ imageFlipped: false, fromHeader: true });
  });
  it('R\\F means the patient right is on the viewer right: flipped', () => {
    expect(suggestImageFlipped(['R', 'F'])).toMatchObject({ imageFlipped: true, fromHeader: true });
  });
  it('oblique values use their first letter', () => {
    expect(suggestImageFlipped(['RP', 'F']).imageFlipped).toBe(true);
  });
  it('warns when columns run toward the head', () => {
    expect(suggestImageFlipped(['L', 'H']).note).toMatch(/upside down/);
  });
  it('absent or non-frontal orientation: assumes standard AP and says it is an assumption', () => {
    expect(suggestImageFlipped(null)).toMatchObject({ imageFlipped: false, fromHeader: false });
    expect(suggestImageFlipped(['A', 'F'])).toMatchObject({ imageFlipped: false, fromHeader: false });
  });
});

describe('engine errors in the IPC envelope', () => {
  it('map to stable app error codes', async () => {
    const { engineErrorToAppErrorPayload } = await import('../../../shared/geometry/errors');
    expect(engineErrorToAppErrorPayload(new EngineError('CALIBRATION_REQUIRED', 'calibrate'))).toEqual({ code: 'CALIBRATION_MISSING', message: 'calibrate' });
    expect(engineErrorToAppErrorPayload(new EngineError('MISSING_LANDMARK', 'Place Knee centre.', ['kneeCentre'])).code).toBe('INVALID_INPUT');
  });
});
