// The rendered phantom film: DICOM tags (via dcmtk), pixel content where the truth says, determinism,
// speed, the CLI command, and a PNG preview in tests/.tmp for a human look.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import dicomParser from 'dicom-parser';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { runPhantomCommand } from '../../electron/backend/cli/phantom-command';
import { generateDemoPatient, generateLongLegFilm, writeLongLegFilm, type LongLegFilm, type PhantomTruth } from '../../electron/backend/phantom/long-leg-film';
import { dcmdump, dcmdumpClean, expectDumpLines } from './dcmdump';

const TMP = join(__dirname, '..', '.tmp', 'phantom');
mkdirSync(TMP, { recursive: true });

const FIXED_UIDS = { studyInstanceUid: '1.2.826.0.1.3680043.10.1', seriesInstanceUid: '1.2.826.0.1.3680043.10.2', sopInstanceUid: '1.2.826.0.1.3680043.10.3' };

type P = { x: number; y: number };

/** Mean stored value over a (2h+1)² neighbourhood around a float pixel coordinate. */
function meanAt(film: LongLegFilm, p: P, h = 2): number {
  const { columns } = film.truth.image;
  const cx = Math.floor(p.x);
  const cy = Math.floor(p.y);
  let sum = 0;
  let n = 0;
  for (let y = cy - h; y <= cy + h; y++) {
    for (let x = cx - h; x <= cx + h; x++) {
      sum += film.pixels[y * columns + x]!;
      n++;
    }
  }
  return sum / n;
}

/** Film-frame mm → pixel, from the truth's own statement of the mapping. */
function mmToPx(truth: PhantomTruth, p: P): P {
  const { imagerPixelSpacingMm: s, estimatedRadiographicMagnificationFactor: ermf, originMm } = truth.image;
  return { x: ((p.x - originMm.x) * ermf) / s.column, y: ((p.y - originMm.y) * ermf) / s.row };
}

/** dcmdump's options here: long values in full (+L), the pixel data not loaded (-M). */
const DUMP_OPTIONS = ['+L', '-M'];

describe('phantom film', () => {
  // One small non-square film shared by the pixel tests (0.3 / 0.28 mm at the detector).
  const film = generateLongLegFilm({
    imagerPixelSpacingMm: { row: 0.3, column: 0.28 },
    legs: { R: { mptaDeg: 84, mldfaDeg: 88, jlcaDeg: 2 }, L: {} },
    study: FIXED_UIDS,
  });
  const { truth } = film;

  it('has the size, bit depth and value range the header states', () => {
    const { rows, columns, bitsStored } = truth.image;
    expect(film.pixels.length).toBe(rows * columns);
    expect(bitsStored).toBe(12);
    let max = 0;
    for (const v of film.pixels) if (v > max) max = v;
    expect(max).toBeLessThanOrEqual(4095);
    expect(max).toBeGreaterThan(2500); // the steel sphere and lead marker are near white
    // The film spans hips to ankles: about 1.1 m at the detector.
    expect(rows * 0.3).toBeGreaterThan(1000);
    expect(columns * 0.28).toBeGreaterThanOrEqual(430);
    const ds = dicomParser.parseDicom(new Uint8Array(film.dicom));
    expect(ds.uint16('x00280010')).toBe(rows);
    expect(ds.uint16('x00280011')).toBe(columns);
    expect(ds.elements.x7fe00010!.length).toBe(rows * columns * 2);
    const stored = new Uint16Array(film.dicom.buffer.slice(film.dicom.byteOffset + ds.elements.x7fe00010!.dataOffset, film.dicom.byteOffset + ds.elements.x7fe00010!.dataOffset + rows * columns * 2));
    expect(createHash('md5').update(stored).digest('hex')).toBe(createHash('md5').update(film.pixels).digest('hex'));
  });

  it('writes a DX for-presentation file dcmdump reads cleanly, with detector spacing, ERMF and no PixelSpacing', () => {
    const path = join(TMP, 'film-tags.dcm');
    writeFileSync(path, film.dicom);
    const out = dcmdumpClean(path, ...DUMP_OPTIONS);
    expectDumpLines(out, [
      /\(0002,0002\) UI =DigitalXRayImageStorageForPresentation/,
      /\(0002,0010\) UI =LittleEndianExplicit/,
      '(0008,0060) CS [DX]',
      '(0008,0068) CS [FOR PRESENTATION]',
      '(0018,1164) DS [0.3\\0.28]',
      '(0018,1114) DS [1.1]',
      '(0018,1110) DS [1800]',
      '(0020,0020) CS [L\\F]',
      '(0018,0015) CS [LEG]',
      '(0018,5101) CS [AP]',
      '(0028,0004) CS [MONOCHROME2]',
      '(0028,0101) US 12',
      '(0028,0102) US 11',
      `(0028,0010) US ${truth.image.rows}`,
      `(0028,1050) DS [${truth.image.windowCenter}]`,
      `(0028,1051) DS [${truth.image.windowWidth}]`,
      '(0010,0010) PN [PHANTOM^Long-leg]',
      `(0008,0018) UI [${FIXED_UIDS.sopInstanceUid}]`,
      `(0020,000d) UI [${FIXED_UIDS.studyInstanceUid}]`,
    ]);
    expect(out).not.toContain('(0028,0030)');
  });

  it('shows femoral cortex brighter than marrow and marrow brighter than thigh soft tissue; background dark', () => {
    const leg = truth.legs.R!;
    const prox = leg.landmarksMm.femoralShaftProximal;
    const dist = leg.landmarksMm.femoralShaftDistal;
    const mid = { x: (prox.x + dist.x) / 2, y: (prox.y + dist.y) / 2 };
    const len = Math.hypot(prox.x - dist.x, prox.y - dist.y);
    const across = { x: -(prox.y - dist.y) / len, y: (prox.x - dist.x) / len };
    const at = (mm: number) => mmToPx(truth, { x: mid.x + across.x * mm, y: mid.y + across.y * mm });
    const cortexA = meanAt(film, at(11));
    const cortexB = meanAt(film, at(-11));
    const marrow = meanAt(film, at(0));
    const softA = meanAt(film, at(40));
    const softB = meanAt(film, at(-40));
    const air = meanAt(film, { x: 20, y: truth.image.rows / 2 }, 4);
    for (const cortex of [cortexA, cortexB]) {
      expect(cortex).toBeGreaterThan(marrow + 150);
      expect(cortex).toBeGreaterThan(Math.max(softA, softB) + 600);
    }
    expect(marrow).toBeGreaterThan(Math.max(softA, softB) + 200);
    expect(Math.min(softA, softB)).toBeGreaterThan(air + 200);
    expect(air).toBeLessThan(300);
  });

  it('shows the knee and ankle joint spaces darker than the bone on either side', () => {
    for (const side of ['R', 'L'] as const) {
      const l = truth.legs[side]!.landmarksMm;
      // Mid-compartment points between the condyle and the plateau landmarks.
      for (const [c, t] of [
        [l.femoralCondyleMedial, l.tibialPlateauMedial],
        [l.femoralCondyleLateral, l.tibialPlateauLateral],
      ] as const) {
        const u = { x: (c.x * 2 + t.x) / 3, y: (c.y + t.y) / 2 };
        const gap = meanAt(film, mmToPx(truth, u), 1);
        const femur = meanAt(film, mmToPx(truth, { x: u.x, y: u.y - 8 }), 1);
        const tibia = meanAt(film, mmToPx(truth, { x: u.x, y: u.y + 8 }), 1);
        expect(femur).toBeGreaterThan(gap + 250);
        expect(tibia).toBeGreaterThan(gap + 250);
      }
      const A = l.ankleCentre;
      const ankleGap = meanAt(film, mmToPx(truth, { x: A.x, y: A.y + 1.9 }), 1);
      expect(meanAt(film, mmToPx(truth, { x: A.x, y: A.y - 8 }), 1)).toBeGreaterThan(ankleGap + 200);
      expect(meanAt(film, mmToPx(truth, { x: A.x, y: A.y + 12 }), 1)).toBeGreaterThan(ankleGap + 200);
    }
  });

  it('draws the calibration sphere where the truth says, with the true diameter (non-square pixels)', () => {
    const s = truth.sphere!;
    const { columns } = truth.image;
    const cx = Math.round(s.centrePx.x - 0.5);
    const cy = Math.round(s.centrePx.y - 0.5);
    const value = (x: number, y: number) => film.pixels[y * columns + x]!;
    // Width at 10 % above the local background, with sub-pixel interpolation, along the row and the column.
    const widthAlong = (dx: number, dy: number, radiusPx: number) => {
      const centre = meanAt(film, s.centrePx, 1);
      const ring: number[] = [];
      for (let k = Math.ceil(radiusPx + 6); k < radiusPx + 14; k++) ring.push(value(cx + dx * k, cy + dy * k), value(cx - dx * k, cy - dy * k));
      ring.sort((a, b) => a - b);
      const background = ring[ring.length >> 1]!;
      const level = background + 0.1 * (centre - background);
      const edge = (sign: number) => {
        for (let k = 0; k < radiusPx * 2; k++) {
          const a = value(cx + sign * dx * k, cy + sign * dy * k);
          const b = value(cx + sign * dx * (k + 1), cy + sign * dy * (k + 1));
          if (a >= level && b < level) return k + (a - level) / (a - b);
        }
        throw new Error('no edge');
      };
      return edge(1) + edge(-1);
    };
    const wx = widthAlong(1, 0, s.diameterPx.x / 2);
    const wy = widthAlong(0, 1, s.diameterPx.y / 2);
    expect(Math.abs(wx - s.diameterPx.x) / s.diameterPx.x).toBeLessThan(0.02);
    expect(Math.abs(wy - s.diameterPx.y) / s.diameterPx.y).toBeLessThan(0.02);
    // The x and y pixel diameters differ by the spacing ratio 0.3 / 0.28.
    expect(s.diameterPx.x / s.diameterPx.y).toBeCloseTo(0.3 / 0.28, 9);
    // Centroid of the bright disc equals the true centre to a fraction of a pixel.
    let sx = 0;
    let sy = 0;
    let n = 0;
    const threshold = (meanAt(film, s.centrePx, 1) + value(cx + Math.ceil(s.diameterPx.x), cy)) / 2;
    for (let y = Math.floor(cy - s.diameterPx.y); y < cy + s.diameterPx.y; y++) {
      for (let x = Math.floor(cx - s.diameterPx.x); x < cx + s.diameterPx.x; x++) {
        if (value(x, y) > threshold) {
          sx += x + 0.5;
          sy += y + 0.5;
          n++;
        }
      }
    }
    expect(Math.abs(sx / n - s.centrePx.x)).toBeLessThan(0.25);
    expect(Math.abs(sy / n - s.centrePx.y)).toBeLessThan(0.25);
  });

  it('draws the lead marker on the patient\'s right (viewer\'s left) top corner', () => {
    const m = truth.marker!;
    expect(m.letter).toBe('R');
    expect(m.topLeftPx.x).toBeLessThan(truth.image.columns / 4);
    // The R's vertical stroke runs down from the top-left corner of its box.
    const stroke = meanAt(film, { x: m.topLeftPx.x + 0.5, y: m.topLeftPx.y + m.heightPx / 2 }, 1);
    expect(stroke).toBeGreaterThan(3000);
  });

  it('is deterministic: the same options and seed give the same file; another seed other pixels', () => {
    const opts = { scale: 0.6, study: FIXED_UIDS, seed: 42 };
    const a = generateLongLegFilm(opts);
    const b = generateLongLegFilm(opts);
    const md5 = (x: Uint8Array | Uint16Array) => createHash('md5').update(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)).digest('hex');
    expect(md5(a.dicom)).toBe(md5(b.dicom));
    const c = generateLongLegFilm({ ...opts, seed: 43 });
    expect(md5(c.pixels)).not.toBe(md5(a.pixels));
    // Noise only: the mean over the film barely moves.
    const mean = (p: Uint16Array) => p.reduce((s, v) => s + v, 0) / p.length;
    expect(Math.abs(mean(c.pixels) - mean(a.pixels))).toBeLessThan(2);
  });

  it('writes 14-bit films when asked', () => {
    const f = generateLongLegFilm({ scale: 0.6, bitsStored: 14, noise: 0 });
    let max = 0;
    for (const v of f.pixels) if (v > max) max = v;
    expect(max).toBeGreaterThan(4095);
    expect(max).toBeLessThanOrEqual(16383);
    const ds = dicomParser.parseDicom(new Uint8Array(f.dicom));
    expect(ds.uint16('x00280101')).toBe(14);
    expect(ds.uint16('x00280102')).toBe(13);
  });

  it('renders a full-size 0.15 mm film (its time is printed, not asserted)', () => {
    const t0 = performance.now();
    const full = generateLongLegFilm({ study: FIXED_UIDS });
    const ms = performance.now() - t0;
    console.info(`full-size phantom: ${full.truth.image.columns} x ${full.truth.image.rows} px in ${ms.toFixed(0)} ms`);
    expect(full.truth.image.columns).toBeGreaterThanOrEqual(2800);
    expect(full.truth.image.columns).toBeLessThanOrEqual(3200);
    expect(full.truth.image.rows).toBeGreaterThanOrEqual(7000);
    expect(full.truth.image.rows).toBeLessThanOrEqual(9000);
  });

  it('writes a downscaled PNG preview (window from the header) into tests/.tmp for a visual check', () => {
    const { columns, rows, windowCenter, windowWidth } = truth.image;
    const step = 2;
    const w = Math.floor(columns / step);
    const h = Math.floor(rows / step);
    const png = new PNG({ width: w, height: h });
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = film.pixels[y * step * columns + x * step]!;
        const g = Math.max(0, Math.min(255, Math.round(((v - (windowCenter - windowWidth / 2)) / windowWidth) * 255)));
        const o = (y * w + x) * 4;
        png.data[o] = png.data[o + 1] = png.data[o + 2] = g;
        png.data[o + 3] = 255;
      }
    }
    const path = join(TMP, 'phantom-preview.png');
    writeFileSync(path, PNG.sync.write(png));
    expect(PNG.sync.read(readFileSync(path)).width).toBe(w);
  });
});

describe('writeLongLegFilm, generateDemoPatient and the CLI command', () => {
  it('writes the DICOM and the truth JSON side by side', () => {
    const dir = join(TMP, 'written');
    rmSync(dir, { recursive: true, force: true });
    const { dicomPath, truthPath, truth } = writeLongLegFilm(dir, { scale: 0.6 }, 'case-1');
    expect(dicomPath).toBe(join(dir, 'case-1.dcm'));
    const parsed = JSON.parse(readFileSync(truthPath, 'utf8')) as PhantomTruth;
    expect(parsed).toEqual(JSON.parse(JSON.stringify(truth)));
    expect(parsed.dicom.sopInstanceUid).toMatch(/^2\.25\.\d+$/);
    expect(dcmdump(dicomPath, ...DUMP_OPTIONS).stdout).toContain(`(0008,0018) UI [${parsed.dicom.sopInstanceUid}]`);
    expect(() => writeLongLegFilm(dir, {}, '../escape')).toThrow(/may only use letters/);
  });

  it('generates the demo patient: a varus pre-op film of DEMO^Long-leg phantom', () => {
    const dir = join(TMP, 'demo');
    rmSync(dir, { recursive: true, force: true });
    const { dicomPath, truth } = generateDemoPatient(dir);
    expect(existsSync(dicomPath)).toBe(true);
    expect(truth.dicom.patientName).toBe('DEMO^Long-leg phantom');
    expect(truth.legs.R!.geometry.hkaDeg).toBeCloseTo(-6, 12);
    expect(truth.legs.R!.derived.mechanicalAxisDeviationSide).toBe('medial');
    expect(truth.legs.L!.geometry.hkaDeg).toBeLessThan(0);
    expectDumpLines(dcmdumpClean(dicomPath, ...DUMP_OPTIONS), ['(0010,0010) PN [DEMO^Long-leg phantom]', '(0008,1030) LO [Pre-op standing long-leg AP]']);
  }, 60_000);

  it('runs `osteoplan phantom` with per-leg geometry and reports bad arguments clearly', async () => {
    const dir = join(TMP, 'cli');
    rmSync(dir, { recursive: true, force: true });
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) };
    const code = await runPhantomCommand([dir, '--scale', '0.6', '--r-hka', '-7', '--mldfa', '88', '--l-mpta', '91', '--date', '20250102', '--out-name', 'cli-film'], io);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const truth = JSON.parse(readFileSync(join(dir, 'cli-film.truth.json'), 'utf8')) as PhantomTruth;
    expect(truth.legs.R!.geometry.hkaDeg).toBe(-7);
    expect(truth.legs.R!.geometry.mldfaDeg).toBe(88);
    expect(truth.legs.L!.geometry.mptaDeg).toBe(91);
    expect(truth.legs.L!.geometry.mldfaDeg).toBe(88);
    expect(truth.dicom.studyDate).toBe('20250102');
    expect(out.join('\n')).toMatch(/R: HKA -7\.00°/);

    err.length = 0;
    expect(await runPhantomCommand([dir, '--hka', '-5', '--mpta', '84', '--mldfa', '88', '--jlca', '2'], io)).toBe(2);
    expect(err.join('\n')).toMatch(/inconsistent geometry/);
    err.length = 0;
    expect(await runPhantomCommand([dir, '--wobble', '3'], io)).toBe(2);
    expect(err.join('\n')).toMatch(/Unknown option --wobble/);
    err.length = 0;
    expect(await runPhantomCommand(['--scale', 'big'], io)).toBe(2);
    expect(err.join('\n')).toMatch(/--scale needs a number/);
    expect(await runPhantomCommand(['--help'], io)).toBe(0);
    expect(out.join('\n')).toContain('Usage: osteoplan phantom <outDir>');
  });
});
