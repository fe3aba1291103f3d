import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitCircle } from '../../../shared/geometry/circle-fit';
import { EngineError } from '../../../shared/geometry/errors';

describe('fitCircle (clinical-spec §2: least-squares circle through ≥ 3 contour points)', () => {
  it('returns the circumcircle of three points', () => {
    // (0,0), (8,0), (0,6): right angle at the origin, so the centre is the hypotenuse midpoint.
    const fit = fitCircle([
      { x: 0, y: 0 },
      { x: 8, y: 0 },
      { x: 0, y: 6 },
    ]);
    expect(fit.centre.x).toBeCloseTo(4, 12);
    expect(fit.centre.y).toBeCloseTo(3, 12);
    expect(fit.radius).toBeCloseTo(5, 12);
  });

  it('recovers any circle exactly from points on an arc', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5000, max: 5000, noNaN: true }),
        fc.double({ min: -5000, max: 5000, noNaN: true }),
        fc.double({ min: 5, max: 300, noNaN: true }),
        fc.double({ min: 0, max: 360, noNaN: true }),
        fc.integer({ min: 3, max: 12 }),
        (cx, cy, r, start, n) => {
          // An arc of 120° at least, like a femoral head contour that is partly hidden.
          const pts = Array.from({ length: n }, (_, i) => {
            const a = ((start + (i * 120) / (n - 1)) * Math.PI) / 180;
            return { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) };
          });
          const fit = fitCircle(pts);
          expect(Math.abs(fit.centre.x - cx)).toBeLessThan(1e-6 * Math.max(1, r));
          expect(Math.abs(fit.centre.y - cy)).toBeLessThan(1e-6 * Math.max(1, r));
          expect(Math.abs(fit.radius - r)).toBeLessThan(1e-6 * r);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('minimises geometric residuals on noisy points better than any nearby centre', () => {
    const pts = [
      { x: 10.3, y: 0 },
      { x: 0, y: 9.8 },
      { x: -10.1, y: 0.2 },
      { x: 0.1, y: -10.2 },
      { x: 7.2, y: 7.0 },
    ];
    const fit = fitCircle(pts);
    const cost = (cx: number, cy: number, r: number) => pts.reduce((s, p) => s + (Math.hypot(p.x - cx, p.y - cy) - r) ** 2, 0);
    const best = cost(fit.centre.x, fit.centre.y, fit.radius);
    for (const [dx, dy, dr] of [
      [0.01, 0, 0],
      [-0.01, 0, 0],
      [0, 0.01, 0],
      [0, -0.01, 0],
      [0, 0, 0.01],
      [0, 0, -0.01],
    ] as const) {
      expect(cost(fit.centre.x + dx, fit.centre.y + dy, fit.radius + dr)).toBeGreaterThan(best);
    }
    expect(fit.rmsResidual).toBeCloseTo(Math.sqrt(best / pts.length), 12);
  });

  it('refuses fewer than three points and collinear points with DEGENERATE_GEOMETRY', () => {
    const expectCode = (f: () => unknown) => {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(EngineError);
        expect((e as EngineError).code).toBe('DEGENERATE_GEOMETRY');
      }
    };
    expectCode(() => fitCircle([{ x: 0, y: 0 }, { x: 1, y: 1 }]));
    expectCode(() => fitCircle([{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 2 }, { x: 3, y: 3 }]));
    expectCode(() => fitCircle([{ x: 5, y: 5 }, { x: 5, y: 5 }, { x: 5, y: 5 }]));
  });
});
