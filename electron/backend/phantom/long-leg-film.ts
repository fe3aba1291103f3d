// The standing long-leg phantom film: true geometry → scene → 16-bit DX DICOM + truth JSON.
// One call makes one film (one study); a follow-up series is several calls with the same patient
// and per-study options (date, description, UIDs, per-leg geometry).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../shared/ipc/result';
import { grayscalePixels, newUid, writeDicomFile, type DicomElement } from '../dicom/write-dicom';
import { buildLeg, mapLandmarks, measureLeg, resolveLegGeometry, type LegGeometry, type LegGeometryInput, type LegLandmarks, type LegMeasurements, type Side } from './geometry';
import { fillGaussian, mulberry32 } from '../seeded-random';
import { partBoundsMm, renderAttenuation, type Group, type PixelGrid } from './render';
import { osteotomizedLandmarks, type LegOsteotomy } from './osteotomy';
import { buildPatientScene, calibrationSphere, placeLeg, sideMarker, type LegPlacement } from './scene';
import { add, vec, type Vec2 } from './vec';

export const DX_FOR_PRESENTATION = '1.2.840.10008.5.1.4.1.1.1.1';

export interface PhantomPatient {
  /** DICOM PN, e.g. "DEMO^Long-leg phantom". */
  name?: string;
  id?: string;
  /** YYYYMMDD */
  birthDate?: string;
  sex?: 'M' | 'F' | 'O';
}

/** Everything that differs between the films of one patient's series. */
export interface PhantomStudy {
  /** YYYYMMDD */
  date?: string;
  /** HHMMSS */
  time?: string;
  description?: string;
  seriesDescription?: string;
  accessionNumber?: string;
  studyId?: string;
  seriesNumber?: number;
  instanceNumber?: number;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
}

export interface LongLegFilmOptions {
  patient?: PhantomPatient;
  study?: PhantomStudy;
  /** Per-leg geometry; a leg left out gets the defaults (87/87/1: 1° varus). */
  legs?: Partial<Record<Side, LegGeometryInput>>;
  /** Distance between the femoral head centres, mm at the patient. */
  hipSeparationMm?: number;
  /** ImagerPixelSpacing (0018,1164) at the detector: row spacing (Δy), column spacing (Δx). Default 0.15 / 0.15. */
  imagerPixelSpacingMm?: { row: number; column: number };
  /** Shorthand for a square detector spacing in mm/px, e.g. 0.6 for a small, fast test film. */
  scale?: number;
  /** Estimated Radiographic Magnification Factor (0018,1114) = SID / SOD. Default 1.10. */
  ermf?: number;
  /** Source–image distance written to (0018,1110); SOD follows from the ERMF. Default 1800 mm. */
  sourceImageDistanceMm?: number;
  bitsStored?: 12 | 14;
  /** Noise seed: the same options and seed give the same pixels. */
  seed?: number;
  /** Noise standard deviation as a fraction of the full pixel range. Default 0.006; 0 for none. */
  noise?: number;
  calibrationSphere?: { diameterMm?: number; side?: Side } | false;
  /** The lead side marker; placed at the top corner on that side of the patient. Default 'R'. */
  marker?: Side | false;
  /**
   * Pins the film's pixel grid (patient-plane mm of the corner of pixel (0, 0), and the size)
   * instead of fitting it to the content: the films of one patient's series then share pixel
   * coordinates, as films taken with the same cassette position would. Required with `osteotomy`.
   */
  grid?: { originMm: { x: number; y: number }; columns: number; rows: number };
  /**
   * false: the header carries no ImagerPixelSpacing, magnification factor or source distances, as a
   * film whose scale is unknown (clinical-spec §4 "uncalibrated"); the truth keeps the true spacing.
   */
  calibrationInHeader?: false;
  /** A medial opening-wedge HTO per leg, in this film's pixel coordinates (post-op films). */
  osteotomy?: Partial<Record<Side, FilmOsteotomy>>;
}

/** A medial opening-wedge HTO as the planning engine describes it (clinical-spec §5), in image pixels. */
export interface FilmOsteotomy {
  hingePx: PixelPoint;
  cutEntryPx: PixelPoint;
  /** Rotation of the distal fragment about the hinge, degrees, counter-clockwise in the leg frame (x lateral, y proximal). */
  rotationDeg: number;
  /** 0 = an empty (dark) gap, 100 = bone density. Default 0. */
  fillPercent?: number;
  /** Draw the medial plate and screws. Default true. */
  plate?: boolean;
}

export interface PixelPoint {
  x: number;
  y: number;
}

export interface PhantomLegTruth {
  side: Side;
  /** The geometry as resolved from the options (the values the film was built to have). */
  geometry: LegGeometry;
  /** clinical-spec §3 values recomputed from the landmarks (equal to `geometry` to rounding). */
  derived: LegMeasurements;
  /** Image pixel coordinates (floats; x right, y down, (0,0) the top-left corner of the top-left pixel). */
  landmarksPx: LegLandmarks;
  /** Film frame at the patient plane: mm, x to the viewer's right, y down. */
  landmarksMm: LegLandmarks;
  /** Present on a post-op film: the osteotomy drawn into this leg (landmarks above are after it). */
  osteotomy?: {
    procedure: 'hto-medial-opening';
    hingePx: PixelPoint;
    cutEntryPx: PixelPoint;
    rotationDeg: number;
    fillPercent: number;
    plate: boolean;
    /** The leg before the osteotomy. */
    preOpGeometry: LegGeometry;
  };
}

export interface PhantomTruth {
  format: 'osteoplan-long-leg-phantom';
  version: 1;
  conventions: string;
  image: {
    rows: number;
    columns: number;
    bitsAllocated: 16;
    bitsStored: number;
    photometricInterpretation: 'MONOCHROME2';
    imagerPixelSpacingMm: { row: number; column: number };
    estimatedRadiographicMagnificationFactor: number;
    /** Imager spacing / ERMF: mm at the patient per pixel. */
    patientPixelSpacingMm: { row: number; column: number };
    patientOrientation: ['L', 'F'];
    windowCenter: number;
    windowWidth: number;
    /** Film-frame mm (patient plane) of the pixel corner (0, 0). */
    originMm: { x: number; y: number };
    /** Present (false) when the header leaves out the spacing and magnification (`calibrationInHeader: false`). */
    calibrationInHeader?: false;
  };
  dicom: {
    patientName: string;
    patientId: string;
    studyDate: string;
    studyDescription: string;
    studyInstanceUid: string;
    seriesInstanceUid: string;
    sopInstanceUid: string;
  };
  legs: Partial<Record<Side, PhantomLegTruth>>;
  /** |leg length R − L| (H–A) when both legs are on the film. */
  legLengthDifferenceMm: number | null;
  sphere: null | {
    centrePx: PixelPoint;
    centreMm: { x: number; y: number };
    diameterMm: number;
    /** The true diameter in pixels along x (columns) and y (rows): differ with non-square pixels. */
    diameterPx: { x: number; y: number };
  };
  marker: null | { letter: Side; topLeftPx: PixelPoint; heightPx: number };
  seed: number;
  renderMs: number;
}

export interface LongLegFilm {
  dicom: Buffer;
  truth: PhantomTruth;
  /** The stored pixel values (rows × columns, row-major), for tests and previews. */
  pixels: Uint16Array;
}

const DEFAULTS = {
  hipSeparationMm: 190,
  spacing: 0.15,
  ermf: 1.1,
  sid: 1800,
  bitsStored: 12 as 12 | 14,
  seed: 20240611,
  noise: 0.006,
  sphereDiameterMm: 25,
  /** Minimum detector width: a 43 cm long-leg cassette; the height follows the patient. */
  minDetectorWidthMm: 430,
};

function positive(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new AppError('INVALID_INPUT', `${name} must be a positive finite number, got ${String(v)}.`);
  return v;
}

function checkDate(name: string, v: string | undefined): void {
  if (v !== undefined && !/^\d{8}$/.test(v)) throw new AppError('INVALID_INPUT', `${name} must be YYYYMMDD, got "${v}".`);
}

/** Where pixel (column, row) corners sit: the patient-plane mm ↔ pixel mapping of one film. */
export class FilmProjection {
  constructor(
    readonly originMm: Vec2,
    readonly imagerSpacing: { row: number; column: number },
    readonly ermf: number,
  ) {}
  /** mm at the patient per pixel. */
  get patientSpacing(): { row: number; column: number } {
    return { row: this.imagerSpacing.row / this.ermf, column: this.imagerSpacing.column / this.ermf };
  }
  toPixel(p: Vec2): PixelPoint {
    return { x: ((p.x - this.originMm.x) * this.ermf) / this.imagerSpacing.column, y: ((p.y - this.originMm.y) * this.ermf) / this.imagerSpacing.row };
  }
  toMm(p: PixelPoint): Vec2 {
    return { x: this.originMm.x + (p.x * this.imagerSpacing.column) / this.ermf, y: this.originMm.y + (p.y * this.imagerSpacing.row) / this.ermf };
  }
}

/** Display mapping of attenuation to stored values: log-like and saturating, as a processed DX image. */
function mapToPixels(att: Float32Array, grid: PixelGrid, bitsStored: number, noise: number, seed: number): Uint16Array {
  const max = 2 ** bitsStored - 1;
  const out = new Uint16Array(att.length);
  const uniform = mulberry32(seed);
  const sigma = noise * max;
  const kappa = 1.6;
  // Lookup tables keep the per-pixel work to a few multiplies: the response curve over attenuation
  // 0…LUT_MAX, and a pool of normal deviates drawn (seeded) by a cheap xorshift index.
  const LUT_MAX = 12;
  const LUT_SIZE = 8192;
  const response = new Float32Array(LUT_SIZE + 2);
  for (let k = 0; k <= LUT_SIZE + 1; k++) response[k] = 1 - Math.exp(-((k / LUT_SIZE) * LUT_MAX) / kappa);
  const POOL = 1 << 16;
  const gauss = new Float32Array(POOL);
  fillGaussian(gauss, uniform);
  let xs = (Math.floor(uniform() * 0xffffffff) | 1) >>> 0;
  const { columns, rows } = grid;
  for (let j = 0; j < rows; j++) {
    // Anode heel: a few per cent more exposure toward the cathode end (the feet).
    const heel = 1 + 0.03 * (j / rows - 0.5);
    const row = j * columns;
    for (let i = 0; i < columns; i++) {
      const a = att[row + i]!;
      let signal = 0.03;
      if (a > 0) {
        const f = a >= LUT_MAX ? LUT_SIZE : (a / LUT_MAX) * LUT_SIZE;
        const k = f | 0;
        const resp = response[k]! + (f - k) * (response[k + 1]! - response[k]!);
        signal = 0.03 + 0.94 * resp * heel;
      }
      xs ^= xs << 13;
      xs ^= xs >>> 17;
      xs ^= xs << 5;
      const g = gauss[(xs >>> 0) & (POOL - 1)]!;
      // Quantum noise grows with the signal; keep a floor so air is not perfectly flat.
      const v = signal * max + g * sigma * (0.5 + 0.5 * Math.sqrt(signal));
      out[row + i] = v <= 0 ? 0 : v >= max ? max : Math.round(v);
    }
  }
  return out;
}

/** Running-sum box blur of radius r (pixels) along rows then columns, into `out`. */
function boxBlur(src: Float32Array, out: Float32Array, columns: number, rows: number, rx: number, ry: number): void {
  const line = new Float64Array(Math.max(columns, rows) + 1);
  const pass = (count: number, length: number, at: (k: number, t: number) => number, r: number, read: Float32Array, write: Float32Array) => {
    for (let k = 0; k < count; k++) {
      line[0] = 0;
      for (let t = 0; t < length; t++) line[t + 1] = line[t]! + read[at(k, t)]!;
      for (let t = 0; t < length; t++) {
        const lo = Math.max(0, t - r);
        const hi = Math.min(length, t + r + 1);
        write[at(k, t)] = (line[hi]! - line[lo]!) / (hi - lo);
      }
    }
  };
  pass(rows, columns, (k, t) => k * columns + t, rx, src, out);
  pass(columns, rows, (k, t) => t * columns + k, ry, out, out);
}

/**
 * Dynamic-range compression as DR processing does: subtract part of a wide low-pass so thick
 * (pelvis) and thin (ankle) regions share one window while bone edges keep their local contrast.
 * The low-pass is computed on a coarse grid (≈ 2 mm cells) and interpolated back: it is smooth anyway.
 */
function compressDynamicRange(att: Float32Array, columns: number, rows: number, grid: PixelGrid): void {
  const fx = Math.max(1, Math.round(2 / grid.stepXmm));
  const fy = Math.max(1, Math.round(2 / grid.stepYmm));
  const cw = Math.ceil(columns / fx);
  const ch = Math.ceil(rows / fy);
  const coarse = new Float32Array(cw * ch);
  const counts = new Float32Array(cw * ch);
  for (let j = 0; j < rows; j++) {
    const cj = ((j / fy) | 0) * cw;
    const row = j * columns;
    for (let i = 0; i < columns; i++) {
      const c = cj + ((i / fx) | 0);
      coarse[c] = coarse[c]! + att[row + i]!;
      counts[c] = counts[c]! + 1;
    }
  }
  for (let k = 0; k < coarse.length; k++) coarse[k] = coarse[k]! / counts[k]!;
  const low = new Float32Array(cw * ch);
  boxBlur(coarse, low, cw, ch, Math.max(1, Math.round(18 / (fx * grid.stepXmm))), Math.max(1, Math.round(18 / (fy * grid.stepYmm))));
  for (let j = 0; j < rows; j++) {
    const gy = Math.min(ch - 1, Math.max(0, (j + 0.5) / fy - 0.5));
    const j0 = gy | 0;
    const j1 = Math.min(ch - 1, j0 + 1);
    const ty = gy - j0;
    const row = j * columns;
    for (let i = 0; i < columns; i++) {
      const gx = Math.min(cw - 1, Math.max(0, (i + 0.5) / fx - 0.5));
      const i0 = gx | 0;
      const i1 = Math.min(cw - 1, i0 + 1);
      const tx = gx - i0;
      const top = low[j0 * cw + i0]! + tx * (low[j0 * cw + i1]! - low[j0 * cw + i0]!);
      const bottom = low[j1 * cw + i0]! + tx * (low[j1 * cw + i1]! - low[j1 * cw + i0]!);
      att[row + i] = att[row + i]! - 0.45 * (top + ty * (bottom - top));
    }
  }
}

/** A [1 2 1]/4 separable blur: the detector's unsharpness, so analytic edges do not look drawn. */
function blur121(att: Float32Array, columns: number, rows: number): void {
  const line = new Float32Array(Math.max(columns, rows));
  for (let j = 0; j < rows; j++) {
    const o = j * columns;
    for (let i = 0; i < columns; i++) line[i] = att[o + i]!;
    for (let i = 1; i < columns - 1; i++) att[o + i] = 0.25 * line[i - 1]! + 0.5 * line[i]! + 0.25 * line[i + 1]!;
  }
  for (let i = 0; i < columns; i++) {
    for (let j = 0; j < rows; j++) line[j] = att[j * columns + i]!;
    for (let j = 1; j < rows - 1; j++) att[j * columns + i] = 0.25 * line[j - 1]! + 0.5 * line[j]! + 0.25 * line[j + 1]!;
  }
}

function checkGrid(grid: NonNullable<LongLegFilmOptions['grid']>): NonNullable<LongLegFilmOptions['grid']> {
  const { originMm, columns, rows } = grid;
  if (!Number.isFinite(originMm?.x) || !Number.isFinite(originMm?.y)) throw new AppError('INVALID_INPUT', 'grid.originMm needs finite x and y.');
  for (const [name, v] of [['columns', columns], ['rows', rows]] as const) {
    if (!Number.isInteger(v) || v < 16 || v > 65535) throw new AppError('INVALID_INPUT', `grid.${name} must be an integer in 16…65535, got ${String(v)}.`);
  }
  return grid;
}

/** Pixel → leg frame through the film projection and the leg's placement (an exact inverse of toFilm). */
function legOsteotomy(pl: LegPlacement, projection: FilmProjection, o: FilmOsteotomy, seed: number): LegOsteotomy {
  const toLeg = (p: PixelPoint, name: string): Vec2 => {
    if (!Number.isFinite(p?.x) || !Number.isFinite(p?.y)) throw new AppError('INVALID_INPUT', `osteotomy.${pl.side}.${name} needs finite x and y.`);
    return pl.fromFilm(projection.toMm(p));
  };
  if (!Number.isFinite(o.rotationDeg) || Math.abs(o.rotationDeg) > 25) {
    throw new AppError('INVALID_INPUT', `osteotomy.${pl.side}.rotationDeg must lie in −25…25°, got ${String(o.rotationDeg)}.`);
  }
  const fillPercent = o.fillPercent ?? 0;
  if (!Number.isFinite(fillPercent) || fillPercent < 0 || fillPercent > 100) {
    throw new AppError('INVALID_INPUT', `osteotomy.${pl.side}.fillPercent must lie in 0…100, got ${String(fillPercent)}.`);
  }
  return { hinge: toLeg(o.hingePx, 'hingePx'), cutEntry: toLeg(o.cutEntryPx, 'cutEntryPx'), rotationDeg: o.rotationDeg, fillPercent, plate: o.plate ?? true, seed: seed ^ 0x5eed };
}

/** The detector spacing and magnification a film gets from its options (defaults filled in, checked). */
export function filmScale(options: Pick<LongLegFilmOptions, 'scale' | 'imagerPixelSpacingMm' | 'ermf'>): { imagerSpacing: { row: number; column: number }; ermf: number } {
  if (options.scale !== undefined && options.imagerPixelSpacingMm !== undefined) {
    throw new AppError('INVALID_INPUT', 'Give either scale or imagerPixelSpacingMm, not both.');
  }
  const squareSpacing = positive('scale', options.scale, DEFAULTS.spacing);
  const imagerSpacing = {
    row: positive('imagerPixelSpacingMm.row', options.imagerPixelSpacingMm?.row, squareSpacing),
    column: positive('imagerPixelSpacingMm.column', options.imagerPixelSpacingMm?.column, squareSpacing),
  };
  const ermf = positive('ermf', options.ermf, DEFAULTS.ermf);
  if (ermf < 1 || ermf > 2) throw new AppError('INVALID_INPUT', `ermf must lie in 1…2 (SID/SOD), got ${ermf}.`);
  return { imagerSpacing, ermf };
}

export function generateLongLegFilm(options: LongLegFilmOptions = {}): LongLegFilm {
  const t0 = performance.now();
  const { imagerSpacing, ermf } = filmScale(options);
  const sid = positive('sourceImageDistanceMm', options.sourceImageDistanceMm, DEFAULTS.sid);
  const hipSeparationMm = positive('hipSeparationMm', options.hipSeparationMm, DEFAULTS.hipSeparationMm);
  const bitsStored = options.bitsStored ?? DEFAULTS.bitsStored;
  if (bitsStored !== 12 && bitsStored !== 14) throw new AppError('INVALID_INPUT', `bitsStored must be 12 or 14, got ${String(bitsStored)}.`);
  const seed = options.seed ?? DEFAULTS.seed;
  if (!Number.isInteger(seed)) throw new AppError('INVALID_INPUT', `seed must be an integer, got ${seed}.`);
  const noise = options.noise ?? DEFAULTS.noise;
  if (!Number.isFinite(noise) || noise < 0 || noise > 0.1) throw new AppError('INVALID_INPUT', `noise must lie in 0…0.1, got ${noise}.`);
  if (options.calibrationInHeader !== undefined && options.calibrationInHeader !== false) {
    throw new AppError('INVALID_INPUT', `calibrationInHeader is false or left out, got ${String(options.calibrationInHeader)}.`);
  }
  checkDate('study.date', options.study?.date);
  checkDate('patient.birthDate', options.patient?.birthDate);
  for (const key of Object.keys(options.legs ?? {})) {
    if (key !== 'R' && key !== 'L') throw new AppError('INVALID_INPUT', `legs.${key}: a leg is "R" or "L".`);
  }

  // Geometry: both legs, ankles on the floor line y = 0, head centres hipSeparation apart about x = 0.
  const placements: LegPlacement[] = (['R', 'L'] as const).map((side) => {
    const construction = buildLeg(resolveLegGeometry(options.legs?.[side] ?? {}, side));
    const H = construction.landmarks.femoralHeadCentre;
    const A = construction.landmarks.ankleCentre;
    const sx = side === 'R' ? -1 : 1;
    const offset = vec(sx * (hipSeparationMm / 2) - sx * H.x, A.y);
    return placeLeg(side, construction, offset, 0);
  });
  const pinned = options.grid ? checkGrid(options.grid) : null;
  if (options.osteotomy && Object.keys(options.osteotomy).length > 0) {
    if (!pinned) throw new AppError('INVALID_INPUT', 'An osteotomy is given in pixels: pin the film with `grid` (the pre-op film\'s grid).');
    const pinnedProjection = new FilmProjection(pinned.originMm, imagerSpacing, ermf);
    for (const [side, o] of Object.entries(options.osteotomy)) {
      const pl = placements.find((p) => p.side === side);
      if (!pl || !o) throw new AppError('INVALID_INPUT', `osteotomy.${side}: a leg is "R" or "L".`);
      pl.osteotomy = legOsteotomy(pl, pinnedProjection, o, seed);
    }
  }
  const hipLineY = placements.reduce((s, p) => s + p.toFilm(p.construction.landmarks.femoralHeadCentre).y, 0) / placements.length;
  const scene = buildPatientScene({ legs: placements, midlineX: 0, hipLineY, hipSeparationMm });

  const extras: Group[] = [];
  let sphereCentre: Vec2 | null = null;
  const sphereDiameterMm = options.calibrationSphere === false ? 0 : positive('calibrationSphere.diameterMm', options.calibrationSphere?.diameterMm, DEFAULTS.sphereDiameterMm);
  if (options.calibrationSphere !== false) {
    // Beside the knee, outside the soft tissue, at the bone's distance from the film (same magnification).
    const side = options.calibrationSphere?.side ?? 'R';
    const pl = placements.find((p) => p.side === side)!;
    sphereCentre = pl.toFilm(add(pl.construction.landmarks.kneeCentre, vec(53 + 22 + sphereDiameterMm / 2, 10)));
    extras.push(calibrationSphere(sphereCentre, sphereDiameterMm));
  }

  // Film extent: the content (skin envelope and sphere) plus margins, at least a long-leg cassette.
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const g of [...scene.softTissue.slice(0, 1), ...extras]) {
    for (const p of g.parts) {
      const b = partBoundsMm(p);
      minX = Math.min(minX, b.minX);
      maxX = Math.max(maxX, b.maxX);
      minY = Math.min(minY, b.minY);
      maxY = Math.max(maxY, b.maxY);
    }
  }
  const stepX = imagerSpacing.column / ermf;
  const stepY = imagerSpacing.row / ermf;
  const widthMm = Math.max(DEFAULTS.minDetectorWidthMm / ermf, maxX - minX + 20);
  // The top of the pelvis is cut off as on a real film: start 30 mm above the acetabular roofs.
  const topY = Math.max(minY, hipLineY - 115);
  // …and end below the talus, as long-leg films do.
  const ankleY = Math.max(...placements.map((p) => p.toFilm(p.construction.landmarks.ankleCentre).y));
  maxY = Math.min(maxY, ankleY + 55);
  const heightMm = maxY - topY + 20;
  const columns = pinned?.columns ?? Math.ceil(widthMm / stepX);
  const rows = pinned?.rows ?? Math.ceil(heightMm / stepY);
  if (columns > 65535 || rows > 65535) throw new AppError('INVALID_INPUT', `The film would be ${columns} × ${rows} pixels; use a larger pixel spacing.`);
  const originMm = pinned ? vec(pinned.originMm.x, pinned.originMm.y) : vec((minX + maxX) / 2 - (columns * stepX) / 2, (topY + maxY) / 2 - (rows * stepY) / 2);
  const grid: PixelGrid = { columns, rows, originXmm: originMm.x, originYmm: originMm.y, stepXmm: stepX, stepYmm: stepY };
  const projection = new FilmProjection(originMm, imagerSpacing, ermf);

  let marker: PhantomTruth['marker'] = null;
  if (options.marker !== false) {
    const letter = options.marker ?? 'R';
    if (letter !== 'R' && letter !== 'L') throw new AppError('INVALID_INPUT', `marker must be "R", "L" or false, got ${String(letter)}.`);
    // The patient's right is on the viewer's left: the marker goes in that top corner.
    const letterWidth = 16;
    const topLeft = letter === 'R' ? add(originMm, vec(14, 14)) : vec(originMm.x + columns * stepX - 14 - letterWidth, originMm.y + 14);
    extras.push(sideMarker(letter, topLeft));
    marker = { letter, topLeftPx: projection.toPixel(topLeft), heightPx: (28 * ermf) / imagerSpacing.row };
  }

  const att = renderAttenuation(grid, [...scene.softTissue, ...scene.bones, ...extras]);
  compressDynamicRange(att, columns, rows, grid);
  blur121(att, columns, rows);
  const pixels = mapToPixels(att, grid, bitsStored, noise, seed);
  const max = 2 ** bitsStored - 1;
  const windowCenter = Math.round(max * 0.42);
  const windowWidth = Math.round(max * 0.7);

  const legs: PhantomTruth['legs'] = {};
  for (const pl of placements) {
    const o = pl.osteotomy;
    const l = o ? osteotomizedLandmarks(pl.construction.landmarks, o) : pl.construction.landmarks;
    const landmarksMm = mapLandmarks(l, pl.toFilm);
    const derived = measureLeg(l);
    const preOp = pl.construction.geometry;
    legs[pl.side] = {
      side: pl.side,
      // After an osteotomy the tibial values are the corrected leg's; the femur and joint line are unchanged.
      geometry: o ? { ...preOp, hkaDeg: derived.hkaDeviationDeg, mptaDeg: derived.mptaDeg, ldtaDeg: derived.ldtaDeg, tibiaLengthMm: derived.tibiaLengthMm } : preOp,
      derived,
      landmarksMm,
      landmarksPx: mapLandmarks(landmarksMm, (p) => projection.toPixel(p)),
      ...(o
        ? {
            osteotomy: {
              procedure: 'hto-medial-opening' as const,
              hingePx: projection.toPixel(pl.toFilm(o.hinge)),
              cutEntryPx: projection.toPixel(pl.toFilm(o.cutEntry)),
              rotationDeg: o.rotationDeg,
              fillPercent: o.fillPercent,
              plate: o.plate,
              preOpGeometry: preOp,
            },
          }
        : {}),
    };
  }
  const legLengthDifferenceMm = legs.R && legs.L ? Math.abs(legs.R.derived.legLengthMm - legs.L.derived.legLengthMm) : null;

  const patient = {
    name: options.patient?.name ?? 'PHANTOM^Long-leg',
    id: options.patient?.id ?? 'PHANTOM-0001',
    birthDate: options.patient?.birthDate ?? '19650412',
    sex: options.patient?.sex ?? 'M',
  };
  const study = {
    date: options.study?.date ?? '20240611',
    time: options.study?.time ?? '093000',
    description: options.study?.description ?? 'Standing long-leg AP',
    seriesDescription: options.study?.seriesDescription ?? 'Bilateral lower limb AP standing',
    accessionNumber: options.study?.accessionNumber ?? '',
    studyId: options.study?.studyId ?? '1',
    seriesNumber: options.study?.seriesNumber ?? 1,
    instanceNumber: options.study?.instanceNumber ?? 1,
    studyInstanceUid: options.study?.studyInstanceUid ?? newUid(),
    seriesInstanceUid: options.study?.seriesInstanceUid ?? newUid(),
    sopInstanceUid: options.study?.sopInstanceUid ?? newUid(),
  };
  const elements: DicomElement[] = [
    { tag: 0x00080005, vr: 'CS', value: 'ISO_IR 192' },
    { tag: 0x00080008, vr: 'CS', value: ['DERIVED', 'PRIMARY'] },
    { tag: 0x00080016, vr: 'UI', value: DX_FOR_PRESENTATION },
    { tag: 0x00080018, vr: 'UI', value: study.sopInstanceUid },
    { tag: 0x00080020, vr: 'DA', value: study.date },
    { tag: 0x00080021, vr: 'DA', value: study.date },
    { tag: 0x00080023, vr: 'DA', value: study.date },
    { tag: 0x00080030, vr: 'TM', value: study.time },
    { tag: 0x00080031, vr: 'TM', value: study.time },
    { tag: 0x00080033, vr: 'TM', value: study.time },
    { tag: 0x00080050, vr: 'SH', value: study.accessionNumber },
    { tag: 0x00080060, vr: 'CS', value: 'DX' },
    { tag: 0x00080068, vr: 'CS', value: 'FOR PRESENTATION' },
    { tag: 0x00080070, vr: 'LO', value: 'Osteoplan' },
    { tag: 0x00080090, vr: 'PN', value: '' },
    { tag: 0x00081030, vr: 'LO', value: study.description },
    { tag: 0x0008103e, vr: 'LO', value: study.seriesDescription },
    { tag: 0x00081090, vr: 'LO', value: 'Long-leg phantom generator' },
    { tag: 0x00100010, vr: 'PN', value: patient.name },
    { tag: 0x00100020, vr: 'LO', value: patient.id },
    { tag: 0x00100030, vr: 'DA', value: patient.birthDate },
    { tag: 0x00100040, vr: 'CS', value: patient.sex },
    { tag: 0x00180015, vr: 'CS', value: 'LEG' },
    { tag: 0x00181110, vr: 'DS', value: sid },
    { tag: 0x00181111, vr: 'DS', value: sid / ermf },
    { tag: 0x00181114, vr: 'DS', value: ermf },
    { tag: 0x00181164, vr: 'DS', value: [imagerSpacing.row, imagerSpacing.column] },
    { tag: 0x00185101, vr: 'CS', value: 'AP' },
    { tag: 0x0020000d, vr: 'UI', value: study.studyInstanceUid },
    { tag: 0x0020000e, vr: 'UI', value: study.seriesInstanceUid },
    { tag: 0x00200010, vr: 'SH', value: study.studyId },
    { tag: 0x00200011, vr: 'IS', value: study.seriesNumber },
    { tag: 0x00200013, vr: 'IS', value: study.instanceNumber },
    // Rows run toward the patient's left, columns toward the feet: a standard AP film (clinical-spec §1).
    { tag: 0x00200020, vr: 'CS', value: ['L', 'F'] },
    { tag: 0x00200062, vr: 'CS', value: 'B' },
    ...grayscalePixels(rows, columns, bitsStored, pixels),
    { tag: 0x00281040, vr: 'CS', value: 'LOG' },
    { tag: 0x00281041, vr: 'SS', value: 1 },
    { tag: 0x00281050, vr: 'DS', value: windowCenter },
    { tag: 0x00281051, vr: 'DS', value: windowWidth },
    { tag: 0x00281052, vr: 'DS', value: 0 },
    { tag: 0x00281053, vr: 'DS', value: 1 },
    { tag: 0x00281054, vr: 'LO', value: 'US' },
    { tag: 0x00282110, vr: 'CS', value: '00' },
    { tag: 0x20500020, vr: 'CS', value: 'IDENTITY' },
  ];
  const scaleTags = new Set([0x00181110, 0x00181111, 0x00181114, 0x00181164]);
  const dicom = writeDicomFile(options.calibrationInHeader === false ? elements.filter((e) => !scaleTags.has(e.tag)) : elements);

  const truth: PhantomTruth = {
    format: 'osteoplan-long-leg-phantom',
    version: 1,
    conventions:
      'Pixel coordinates: x right, y down, (0,0) = top-left corner of the top-left pixel (clinical-spec §1). ' +
      'mm are at the patient plane in the film frame: x = originMm.x + px.x * imagerPixelSpacing.column / ERMF, y likewise with the row spacing. ' +
      'Standard AP: the right leg is on the viewer\'s left. Angles in degrees per clinical-spec §3 (HKA negative = varus).',
    image: {
      rows,
      columns,
      bitsAllocated: 16,
      bitsStored,
      photometricInterpretation: 'MONOCHROME2',
      imagerPixelSpacingMm: imagerSpacing,
      estimatedRadiographicMagnificationFactor: ermf,
      patientPixelSpacingMm: projection.patientSpacing,
      patientOrientation: ['L', 'F'],
      windowCenter,
      windowWidth,
      originMm,
      ...(options.calibrationInHeader === false ? { calibrationInHeader: false as const } : {}),
    },
    dicom: {
      patientName: patient.name,
      patientId: patient.id,
      studyDate: study.date,
      studyDescription: study.description,
      studyInstanceUid: study.studyInstanceUid,
      seriesInstanceUid: study.seriesInstanceUid,
      sopInstanceUid: study.sopInstanceUid,
    },
    legs,
    legLengthDifferenceMm,
    sphere: sphereCentre
      ? {
          centrePx: projection.toPixel(sphereCentre),
          centreMm: sphereCentre,
          diameterMm: sphereDiameterMm,
          diameterPx: { x: (sphereDiameterMm * ermf) / imagerSpacing.column, y: (sphereDiameterMm * ermf) / imagerSpacing.row },
        }
      : null,
    marker,
    seed,
    renderMs: 0,
  };
  truth.renderMs = Math.round(performance.now() - t0);
  return { dicom, truth, pixels };
}

/** Writes `<baseName>.dcm` and `<baseName>.truth.json` into `dir` (created if needed). */
export function writeLongLegFilm(dir: string, options: LongLegFilmOptions = {}, baseName = 'long-leg-phantom'): { dicomPath: string; truthPath: string; truth: PhantomTruth } {
  if (!/^[A-Za-z0-9._-]+$/.test(baseName)) throw new AppError('INVALID_INPUT', `File base name "${baseName}" may only use letters, digits, dot, dash and underscore.`);
  const film = generateLongLegFilm(options);
  mkdirSync(dir, { recursive: true });
  const dicomPath = join(dir, `${baseName}.dcm`);
  const truthPath = join(dir, `${baseName}.truth.json`);
  writeFileSync(dicomPath, film.dicom);
  writeFileSync(truthPath, `${JSON.stringify(film.truth, null, 2)}\n`);
  return { dicomPath, truthPath, truth: film.truth };
}

/** The fictitious demo patient's pre-op film: a varus knee of tibial origin on the right, a mild one on the left. */
export const DEMO_PATIENT: Required<PhantomPatient> = { name: 'DEMO^Long-leg phantom', id: 'DEMO-0001', birthDate: '19680321', sex: 'M' };

/**
 * Fixed UIDs of the demo film (2.25 = UUID-derived, from fixed UUIDs), so loading the demo twice
 * finds the same SOP Instance UID and reports a duplicate instead of a second copy.
 */
export const DEMO_UIDS = {
  studyInstanceUid: `2.25.${BigInt('0x6f73746f65706c616e2d64656d6f0001').toString(10)}`,
  seriesInstanceUid: `2.25.${BigInt('0x6f73746f65706c616e2d64656d6f0002').toString(10)}`,
  sopInstanceUid: `2.25.${BigInt('0x6f73746f65706c616e2d64656d6f0003').toString(10)}`,
} as const;

export function demoPatientOptions(): LongLegFilmOptions {
  return {
    patient: DEMO_PATIENT,
    study: {
      date: '20240611',
      time: '093000',
      description: 'Pre-op standing long-leg AP',
      seriesDescription: 'Long-leg AP standing (demo)',
      accessionNumber: 'DEMO-PREOP',
      ...DEMO_UIDS,
    },
    legs: {
      R: { mptaDeg: 84, mldfaDeg: 88, jlcaDeg: 2 }, // HKA −6° (varus), MPTA 84: a classic HTO candidate
      L: { mptaDeg: 86, mldfaDeg: 88, jlcaDeg: 1 }, // HKA −3°
    },
    seed: 7,
  };
}

/** Writes the demo patient's pre-op film into `dir` for the "Load demo patient" action. */
export function generateDemoPatient(dir: string): { dicomPath: string; truthPath: string; truth: PhantomTruth } {
  return writeLongLegFilm(dir, demoPatientOptions(), 'demo-preop-long-leg');
}


