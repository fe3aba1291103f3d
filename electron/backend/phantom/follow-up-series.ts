// A phantom follow-up series for one patient (for "Follow the patient", clinical-spec §6): the
// pre-op varus film, the immediate post-op film of a medial opening-wedge HTO, 6 weeks and
// 3 months, the last with 2° of lost correction. The correction comes from the ENGINE: computePlan
// (clinical-spec §5) on the pre-op film's true landmarks gives the hinge, cut entry and rotation
// that the post-op films are drawn with, so their true landmarks are the engine's prediction.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decideCalibration } from '../../../shared/calibration/calibration';
import type { StudyRole } from '../../../shared/ipc/contract';
import { AppError } from '../../../shared/ipc/result';
import { LANDMARK_IDS } from '../../../shared/landmarks/ids';
import { computeLegAlignment, legFrameFor } from '../../../shared/measurements/leg-alignment';
import { legToPixel, pixelToLeg } from '../../../shared/geometry/frame';
import { rotateAbout } from '../../../shared/geometry/vec';
import { computePlan, TIBIAL_MOVED_LANDMARKS } from '../../../shared/planning/osteotomy';
import type { Calibration } from '../../../shared/schemas/calibration';
import type { LandmarkSet } from '../../../shared/schemas/landmark-set';
import type { Plan } from '../../../shared/schemas/plan';
import type { Side } from './geometry';
import { FilmProjection, filmScale, generateLongLegFilm, type LongLegFilmOptions, type PhantomPatient, type PhantomTruth, type PixelPoint } from './long-leg-film';

export interface FollowUpSeriesOptions {
  patient?: PhantomPatient;
  /** The operated leg (default R). */
  side?: Side;
  /** Pre-op geometry of both legs; the operated leg should be varus. Default: MPTA 84, mLDFA 88, JLCA 2 (HKA −6°) on the right. */
  legs?: LongLegFilmOptions['legs'];
  /** YYYY-MM-DD (default 2024-06-18). The pre-op film is a week before. */
  operationDate?: string;
  /** WBL target of the plan, % from the medial plateau edge (default 62.5, Fujisawa). */
  targetWblPercent?: number;
  /** HKA lost between the 6-week and the 3-month film, degrees toward varus (default 2). */
  lostCorrectionDeg?: number;
  /** Gap fill of the post-op, 6-week and 3-month films, % (default 0, 35, 75). */
  fillPercent?: [number, number, number];
  /** Film options shared by the four films (spacing, ERMF, noise...). */
  film?: SeriesFilmOptions;
  /**
   * Per-film overrides on top of `film`, for a series taken on different detectors: each film's own
   * imager spacing, magnification, exposed size or a header without its scale. A film without an
   * override keeps the pre-op film's pixel grid (the default: one grid for the whole series).
   */
  films?: Partial<Record<FollowUpStage, StageFilmOptions>>;
  seed?: number;
}

export type FollowUpStage = 'pre-op' | 'post-op' | '6-weeks' | '3-months';

export type SeriesFilmOptions = Pick<LongLegFilmOptions, 'scale' | 'imagerPixelSpacingMm' | 'ermf' | 'bitsStored' | 'noise' | 'calibrationInHeader'>;

export interface StageFilmOptions extends SeriesFilmOptions {
  /**
   * The exposed area in mm at the patient, centred where the pre-op film's is (the patient stands
   * in the same place). Later films only: the pre-op film is fitted to the patient and sets the frame.
   */
  sizeMm?: { width: number; height: number };
}

const STAGES: readonly FollowUpStage[] = ['pre-op', 'post-op', '6-weeks', '3-months'];

export interface FollowUpTruth extends PhantomTruth {
  followUp: {
    stage: FollowUpStage;
    /** The role the study is meant to get in the library (clinical-spec §6). */
    role: StudyRole;
    operationDate: string;
    daysAfterSurgery: number;
    operatedSide: Side;
    /** The engine's plan on the pre-op film's true landmarks. */
    plan: {
      procedure: 'hto-medial-opening';
      targetWblPercent: number;
      hingePx: PixelPoint;
      cutEntryPx: PixelPoint;
      wedgeAngleDeg: number;
      rotationDeg: number;
      alignmentChangeDeg: number;
      gapChordMm: number | null;
      preOpHkaDeg: number;
      plannedHkaDeg: number;
      plannedMptaDeg: number;
    };
    /** The rotation of the distal fragment drawn on this film (0 pre-op). */
    rotationDeg: number;
    /** HKA on this film's true landmarks (computeLegAlignment). */
    hkaDeg: number;
    lostCorrectionDeg: number;
    fillPercent: number | null;
  };
}

export interface FollowUpFilm {
  stage: FollowUpStage;
  dicomPath: string;
  truthPath: string;
  truth: FollowUpTruth;
  /** The stored pixels (rows × columns), for tests and previews. */
  pixels: Uint16Array;
}

const DEFAULT_LEGS: NonNullable<LongLegFilmOptions['legs']> = { R: { mptaDeg: 84, mldfaDeg: 88, jlcaDeg: 2 }, L: { mptaDeg: 86, mldfaDeg: 88, jlcaDeg: 1 } };

function parseIsoDate(name: string, text: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !d || d.toISOString().slice(0, 10) !== text) throw new AppError('INVALID_INPUT', `${name} must be a calendar date YYYY-MM-DD, got "${text}".`);
  return d;
}

const addDays = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000);
const addMonths = (d: Date, months: number) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate()));
const dicomDate = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '');
const daysBetween = (a: Date, b: Date) => Math.round((b.getTime() - a.getTime()) / 86_400_000);

/** The true landmarks of one leg as a landmark set (every point the catalogue knows, clicked by the user). */
export function truthLandmarkSet(truth: PhantomTruth, side: Side): LandmarkSet {
  const leg = truth.legs[side];
  if (!leg) throw new AppError('INVALID_INPUT', `The film has no ${side} leg.`);
  return {
    schemaVersion: 1,
    sopInstanceUid: truth.dicom.sopInstanceUid,
    frame: 0,
    side,
    imageFlipped: false,
    variants: { kneeCentre: 'spines', ankleCentre: 'plafond-midpoint', plateau: 'edges' },
    landmarks: Object.fromEntries(LANDMARK_IDS.map((id) => [id, { ...leg.landmarksPx[id], placedBy: 'user' as const }])),
    femoralHeadContour: [],
    userCalibration: null,
  };
}

/** clinical-spec §4 from the film's own header values (DX, ImagerPixelSpacing, ERMF). */
export function truthCalibration(truth: PhantomTruth): Calibration {
  const s = truth.image.imagerPixelSpacingMm;
  return decideCalibration({
    modality: 'DX',
    pixelSpacing: null,
    imagerPixelSpacing: [s.row, s.column],
    estimatedRadiographicMagnificationFactor: truth.image.estimatedRadiographicMagnificationFactor,
    pixelSpacingCalibrationType: null,
  });
}

const hkaOf = (set: LandmarkSet, calibration: Calibration): number => {
  const v = computeLegAlignment(set, calibration).measurements.hka.value;
  if (v === null) throw new AppError('INTERNAL', 'HKA is unavailable on the phantom landmarks.');
  return v;
};

/** The distal fragment turned by `deg` about the hinge (pixels in, pixels out), as computePlan moves it. */
function turnDistalFragment(set: LandmarkSet, calibration: Calibration, hingePx: PixelPoint, deg: number): LandmarkSet {
  const frame = legFrameFor(set, calibration);
  const hinge = pixelToLeg(frame, hingePx);
  const landmarks = { ...set.landmarks };
  for (const id of TIBIAL_MOVED_LANDMARKS) {
    const p = landmarks[id];
    if (p) landmarks[id] = { ...legToPixel(frame, rotateAbout(pixelToLeg(frame, p), hinge, deg)), placedBy: p.placedBy };
  }
  return { ...set, landmarks };
}

/** The rotation (from the pre-op position) whose HKA equals `targetHka`: secant iteration, HKA is smooth and monotone in it. */
function rotationForHka(preOp: LandmarkSet, calibration: Calibration, hingePx: PixelPoint, start: number, targetHka: number): number {
  const f = (r: number) => hkaOf(turnDistalFragment(preOp, calibration, hingePx, r), calibration) - targetHka;
  let r0 = start;
  let r1 = start - 1;
  let f0 = f(r0);
  let f1 = f(r1);
  for (let k = 0; k < 50 && Math.abs(f1) > 1e-12 && f1 !== f0; k++) {
    const r2 = r1 - (f1 * (r1 - r0)) / (f1 - f0);
    r0 = r1;
    f0 = f1;
    r1 = r2;
    f1 = f(r1);
  }
  if (Math.abs(f1) > 1e-9) throw new AppError('INTERNAL', `No rotation gives HKA ${targetHka}° (left ${f1}°).`);
  return r1;
}

/**
 * Writes four studies of one patient into `dir` (`<n>-<stage>.dcm` + `.truth.json`): pre-op,
 * post-op day 1, 6 weeks and 3 months after the operation, all on the same pixel grid unless
 * `films` gives a film its own detector (spacing, magnification, size).
 */
export function generateFollowUpSeries(dir: string, options: FollowUpSeriesOptions = {}): FollowUpFilm[] {
  const side = options.side ?? 'R';
  if (side !== 'R' && side !== 'L') throw new AppError('INVALID_INPUT', `side must be "R" or "L", got ${String(side)}.`);
  const operation = parseIsoDate('operationDate', options.operationDate ?? '2024-06-18');
  const operationDate = operation.toISOString().slice(0, 10);
  const target = options.targetWblPercent ?? 62.5;
  if (!Number.isFinite(target) || target < 40 || target > 75) throw new AppError('INVALID_INPUT', `targetWblPercent must lie in 40…75, got ${target}.`);
  const lost = options.lostCorrectionDeg ?? 2;
  if (!Number.isFinite(lost) || lost < 0 || lost > 10) throw new AppError('INVALID_INPUT', `lostCorrectionDeg must lie in 0…10, got ${lost}.`);
  const fills = options.fillPercent ?? [0, 35, 75];
  if (fills.length !== 3 || fills.some((f) => !Number.isFinite(f) || f < 0 || f > 100)) throw new AppError('INVALID_INPUT', 'fillPercent needs three values in 0…100.');
  const patient: PhantomPatient = { name: 'SERIES^Osteotomy phantom', id: 'SERIES-0001', birthDate: '19660905', sex: 'M', ...options.patient };
  const seed = options.seed ?? 11;
  const base: LongLegFilmOptions = { ...options.film, patient, legs: options.legs ?? DEFAULT_LEGS, seed };
  const overrides = options.films ?? {};
  for (const key of Object.keys(overrides)) {
    if (!STAGES.includes(key as FollowUpStage)) throw new AppError('INVALID_INPUT', `films.${key}: a stage is one of ${STAGES.join(', ')}.`);
  }
  if (overrides['pre-op']?.sizeMm) throw new AppError('INVALID_INPUT', 'films.pre-op.sizeMm: the pre-op film is fitted to the patient and sets the series\' frame; give sizeMm for later films.');
  const filmOptions = (stage: FollowUpStage): LongLegFilmOptions => {
    const o = overrides[stage];
    if (!o) return base;
    const { sizeMm: _size, ...film } = o;
    // A stage's spacing replaces the shared one whichever way either was given.
    const shared = o.scale !== undefined || o.imagerPixelSpacingMm !== undefined ? { ...base, scale: undefined, imagerPixelSpacingMm: undefined } : base;
    return { ...shared, ...film };
  };

  const preOpDate = addDays(operation, -7);
  const preOpFilm = generateLongLegFilm({
    ...filmOptions('pre-op'),
    study: { date: dicomDate(preOpDate), time: '101500', description: 'Pre-op standing long-leg AP', accessionNumber: 'SER-1' },
  });
  const preTruth = preOpFilm.truth;
  const calibration = truthCalibration(preTruth);
  const preSet = truthLandmarkSet(preTruth, side);
  const plan: Plan = {
    schemaVersion: 1,
    name: `Medial opening-wedge HTO to WBL ${target} %`,
    date: operationDate,
    surgeon: null,
    procedure: 'hto-medial-opening',
    target: { kind: 'wbl', percent: target, preset: target === 62.5 ? 'fujisawa' : target === 55 ? 'consensus' : target === 50 ? 'neutral' : 'custom' },
    hinge: null,
    cutEntry: null,
    softTissue: { method: 'none' },
    doubleLevel: null,
    notes: 'Phantom follow-up series: clinical-spec §5 default hinge and cut entry.',
  };
  const result = computePlan(preSet, calibration, plan);
  const cut = result.cuts[0]!;
  const preOpHka = hkaOf(preSet, calibration);
  const plannedHka = result.predicted.measurements.hka.value!;
  const lostRotation = rotationForHka(preSet, calibration, cut.hinge, cut.rotationDeg, plannedHka - lost);
  const preImage = preTruth.image;
  const preProjection = new FilmProjection(preImage.originMm, preImage.imagerPixelSpacingMm, preImage.estimatedRadiographicMagnificationFactor);
  const preGrid = { originMm: preImage.originMm, columns: preImage.columns, rows: preImage.rows };
  /** A later film's pixel grid and its projection: the pre-op grid, or one of its own about the same centre. */
  const frameOf = (stage: FollowUpStage, film: LongLegFilmOptions): { grid: typeof preGrid; projection: FilmProjection } => {
    if (!overrides[stage]) return { grid: preGrid, projection: preProjection };
    const { imagerSpacing: spacing, ermf } = filmScale(film);
    const step = { x: spacing.column / ermf, y: spacing.row / ermf };
    const pre = preProjection.patientSpacing;
    const size = overrides[stage]!.sizeMm ?? { width: preImage.columns * pre.column, height: preImage.rows * pre.row };
    if (!(size.width > 0) || !(size.height > 0)) throw new AppError('INVALID_INPUT', `films.${stage}.sizeMm needs a positive width and height.`);
    const centre = { x: preImage.originMm.x + (preImage.columns * pre.column) / 2, y: preImage.originMm.y + (preImage.rows * pre.row) / 2 };
    const columns = Math.round(size.width / step.x);
    const rows = Math.round(size.height / step.y);
    const originMm = { x: centre.x - (columns * step.x) / 2, y: centre.y - (rows * step.y) / 2 };
    return { grid: { originMm, columns, rows }, projection: new FilmProjection(originMm, spacing, ermf) };
  };

  const planTruth: FollowUpTruth['followUp']['plan'] = {
    procedure: 'hto-medial-opening',
    targetWblPercent: target,
    hingePx: cut.hinge,
    cutEntryPx: cut.cutEntry,
    wedgeAngleDeg: cut.wedgeAngleDeg,
    rotationDeg: cut.rotationDeg,
    alignmentChangeDeg: result.alignmentChangeDeg,
    gapChordMm: cut.gapChordMm,
    preOpHkaDeg: preOpHka,
    plannedHkaDeg: plannedHka,
    plannedMptaDeg: result.predicted.measurements.mpta.value!,
  };

  const stages: { stage: FollowUpStage; role: StudyRole; date: Date; description: string; rotation: number; fill: number | null; lost: number }[] = [
    { stage: 'pre-op', role: 'pre-op', date: preOpDate, description: 'Pre-op standing long-leg AP', rotation: 0, fill: null, lost: 0 },
    { stage: 'post-op', role: 'post-op', date: addDays(operation, 1), description: 'Post-op day 1 long-leg AP (HTO)', rotation: cut.rotationDeg, fill: fills[0], lost: 0 },
    { stage: '6-weeks', role: 'follow-up', date: addDays(operation, 42), description: '6 weeks post-op long-leg AP', rotation: cut.rotationDeg, fill: fills[1], lost: 0 },
    { stage: '3-months', role: 'follow-up', date: addMonths(operation, 3), description: '3 months post-op long-leg AP', rotation: lostRotation, fill: fills[2], lost },
  ];

  mkdirSync(dir, { recursive: true });
  return stages.map((s, k) => {
    let film = preOpFilm;
    if (k > 0) {
      const own = filmOptions(s.stage);
      const { grid, projection } = frameOf(s.stage, own);
      // The plan's hinge and cut entry are pre-op pixels: the same points at the patient, in this film's pixels.
      const here = (p: PixelPoint) => (projection === preProjection ? p : projection.toPixel(preProjection.toMm(p)));
      film = generateLongLegFilm({
        ...own,
        seed: seed + k,
        grid,
        study: { date: dicomDate(s.date), time: '101500', description: s.description, accessionNumber: `SER-${k + 1}` },
        osteotomy: { [side]: { hingePx: here(cut.hinge), cutEntryPx: here(cut.cutEntry), rotationDeg: s.rotation, fillPercent: s.fill ?? 0, plate: true } },
      });
    }
    const truth: FollowUpTruth = {
      ...film.truth,
      followUp: {
        stage: s.stage,
        role: s.role,
        operationDate,
        daysAfterSurgery: daysBetween(operation, s.date),
        operatedSide: side,
        plan: planTruth,
        rotationDeg: s.rotation,
        hkaDeg: hkaOf(truthLandmarkSet(film.truth, side), truthCalibration(film.truth)),
        lostCorrectionDeg: s.lost,
        fillPercent: s.fill,
      },
    };
    const baseName = `${k + 1}-${s.stage}`;
    const dicomPath = join(dir, `${baseName}.dcm`);
    const truthPath = join(dir, `${baseName}.truth.json`);
    writeFileSync(dicomPath, film.dicom);
    writeFileSync(truthPath, `${JSON.stringify(truth, null, 2)}\n`);
    return { stage: s.stage, dicomPath, truthPath, truth, pixels: film.pixels };
  });
}
