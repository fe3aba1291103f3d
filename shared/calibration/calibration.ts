// Calibration decision and user calibration (clinical-spec §4). A calibration is a value with
// provenance: its type, the spacing (row = Δy first, column = Δx), where it came from, and a note.
import type { DicomHeader } from '../dicom/header';
import { fitCircle } from '../geometry/circle-fit';
import { EngineError } from '../geometry/errors';
import { assertValidSpacing } from '../geometry/frame';
import type { Calibration, UserCalibration } from '../schemas/calibration';

export type { Calibration, CalibrationType, UserCalibration } from '../schemas/calibration';

/** The header fields the decision reads; the full DicomHeader satisfies it. */
export type CalibrationHeader = Pick<
  DicomHeader,
  'modality' | 'pixelSpacing' | 'imagerPixelSpacing' | 'estimatedRadiographicMagnificationFactor' | 'pixelSpacingCalibrationType'
>;

/** clinical-spec §4 rule 2: projection modalities whose PixelSpacing may be detector spacing. */
export const PROJECTION_MODALITIES: readonly string[] = ['CR', 'DX', 'MG', 'IO', 'RF', 'XA'];

export const DETECTOR_NOTE =
  'Detector spacing: distances at the patient are 10–20 % smaller than shown (X-ray magnification). Calibrate with a marker for true mm.';

const fmt = (v: number) => String(Number(v.toPrecision(6)));

interface SpacingPair {
  row: number;
  column: number;
}

/** Returns the pair when usable; records why not otherwise (clinical-spec §4 rule 5: absent, zero, non-finite). */
function usablePair(values: number[] | null, tag: string, problems: string[]): SpacingPair | null {
  if (values === null || values.length === 0) return null;
  if (values.length !== 2) {
    problems.push(`${tag} has ${values.length} value(s) where 2 are required; ignored.`);
    return null;
  }
  const [row, column] = values as [number, number];
  if (!Number.isFinite(row) || !Number.isFinite(column) || row <= 0 || column <= 0) {
    problems.push(`${tag} is ${values.map(String).join('\\')}: not a positive finite spacing; ignored.`);
    return null;
  }
  return { row, column };
}

const samePair = (a: SpacingPair, b: SpacingPair) =>
  Math.abs(a.row - b.row) <= 1e-6 * Math.max(a.row, b.row) && Math.abs(a.column - b.column) <= 1e-6 * Math.max(a.column, b.column);

const joinNotes = (...notes: (string | null | undefined)[]) => {
  const text = notes.filter((n): n is string => !!n).join(' ');
  return text === '' ? null : text;
};

/**
 * Pixel aspect (row : column) from whatever spacing the header carries, so a user calibration
 * keeps non-square pixels non-square (clinical-spec §1). Square when nothing is known.
 */
export function pixelAspectFromHeader(header: CalibrationHeader | null): SpacingPair {
  const ignored: string[] = [];
  const pair = header
    ? (usablePair(header.pixelSpacing, 'PixelSpacing', ignored) ?? usablePair(header.imagerPixelSpacing, 'ImagerPixelSpacing', ignored))
    : null;
  return pair ?? { row: 1, column: 1 };
}

/**
 * clinical-spec §4 rule 1: calibration from the user's marker. A line of known length or a circle
 * fitted over a sphere of known diameter (default 25 mm) sets the scale; the pixel aspect comes
 * from the header when it has one.
 */
export function userCalibrationFromMarker(marker: UserCalibration, aspect: SpacingPair = { row: 1, column: 1 }): Calibration {
  assertValidSpacing(aspect.row, aspect.column, 'the pixel aspect');
  let scale: number;
  let source: string;
  if (marker.kind === 'line') {
    const length = Math.hypot((marker.to.x - marker.from.x) * aspect.column, (marker.to.y - marker.from.y) * aspect.row);
    if (!(length > 1e-9)) {
      throw new EngineError('DEGENERATE_GEOMETRY', 'The calibration line has no length: its two ends coincide.');
    }
    if (!(marker.lengthMm > 0) || !Number.isFinite(marker.lengthMm)) {
      throw new EngineError('INVALID_SPACING', `The known length must be a positive number of mm, not ${String(marker.lengthMm)}.`);
    }
    scale = marker.lengthMm / length;
    source = `user line of ${fmt(marker.lengthMm)} mm`;
  } else {
    if (!(marker.diameterMm > 0) || !Number.isFinite(marker.diameterMm)) {
      throw new EngineError('INVALID_SPACING', `The sphere diameter must be a positive number of mm, not ${String(marker.diameterMm)}.`);
    }
    const fit = fitCircle(marker.points.map((p) => ({ x: p.x * aspect.column, y: p.y * aspect.row })));
    scale = marker.diameterMm / (2 * fit.radius);
    source = `user circle over a ${fmt(marker.diameterMm)} mm sphere (${marker.points.length} points)`;
  }
  const rowSpacingMm = scale * aspect.row;
  const columnSpacingMm = scale * aspect.column;
  assertValidSpacing(rowSpacingMm, columnSpacingMm, source);
  return {
    type: 'user',
    rowSpacingMm,
    columnSpacingMm,
    source,
    note: 'Valid at the depth of the marker: place it at the level of the bone.',
  };
}

/**
 * clinical-spec §4: the calibration decision, in order — user marker, calibrated PixelSpacing,
 * ImagerPixelSpacing ÷ ERMF, detector spacing, uncalibrated. Unusable tags (absent, zero,
 * non-finite, wrong count) are skipped and named in the note.
 *
 * Two cases the table leaves open, decided here: PixelSpacing that differs from
 * ImagerPixelSpacing on a projection image is taken as corrected by the device (`calibrated`, as
 * cornerstone3D does); PixelSpacing alone on a projection image is treated as detector spacing,
 * the conservative reading.
 */
export function decideCalibration(header: CalibrationHeader | null, userMarker?: UserCalibration | null): Calibration {
  if (userMarker) return userCalibrationFromMarker(userMarker, pixelAspectFromHeader(header));
  const problems: string[] = [];
  if (!header) {
    return { type: 'uncalibrated', rowSpacingMm: null, columnSpacingMm: null, source: 'no header', note: uncalibratedNote(problems) };
  }
  const ps = usablePair(header.pixelSpacing, 'PixelSpacing (0028,0030)', problems);
  const ips = usablePair(header.imagerPixelSpacing, 'ImagerPixelSpacing (0018,1164)', problems);
  const ermfRaw = header.estimatedRadiographicMagnificationFactor;
  let ermf: number | null = null;
  if (ermfRaw !== null && ermfRaw !== undefined) {
    if (Number.isFinite(ermfRaw) && ermfRaw > 0) ermf = ermfRaw;
    else problems.push(`Estimated Radiographic Magnification Factor (0018,1114) is ${String(ermfRaw)}: ignored.`);
  }
  const modality = header.modality?.trim().toUpperCase() || null;
  const projection = modality === null || PROJECTION_MODALITIES.includes(modality);
  const calType = header.pixelSpacingCalibrationType?.trim() || null;
  const ignored = problems.length ? problems.join(' ') : null;

  if (ps && (calType || !projection)) {
    return {
      type: 'calibrated',
      rowSpacingMm: ps.row,
      columnSpacingMm: ps.column,
      source: calType
        ? `PixelSpacing (0028,0030), Pixel Spacing Calibration Type ${calType}`
        : `PixelSpacing (0028,0030) of a ${modality} image`,
      note: ignored,
    };
  }
  if (ips && ermf !== null) {
    return {
      type: 'magnification-corrected',
      rowSpacingMm: ips.row / ermf,
      columnSpacingMm: ips.column / ermf,
      source: `ImagerPixelSpacing (0018,1164) ${fmt(ips.row)}\\${fmt(ips.column)} mm ÷ Estimated Radiographic Magnification Factor ${fmt(ermf)}`,
      note: joinNotes(ermf < 1 ? 'The magnification factor is below 1, which is physically unusual: check the header.' : null, ignored),
    };
  }
  if (ips && (!ps || samePair(ps, ips))) {
    return {
      type: 'detector',
      rowSpacingMm: ips.row,
      columnSpacingMm: ips.column,
      source: ps ? 'PixelSpacing equal to ImagerPixelSpacing (0018,1164)' : 'ImagerPixelSpacing (0018,1164)',
      note: joinNotes(DETECTOR_NOTE, ignored),
    };
  }
  if (ps && ips) {
    return {
      type: 'calibrated',
      rowSpacingMm: ps.row,
      columnSpacingMm: ps.column,
      source: 'PixelSpacing (0028,0030), which differs from ImagerPixelSpacing: taken as corrected to the patient by the device',
      note: ignored,
    };
  }
  if (ps) {
    return {
      type: 'detector',
      rowSpacingMm: ps.row,
      columnSpacingMm: ps.column,
      source: `PixelSpacing (0028,0030) of a ${modality ?? 'projection'} image without a calibration type`,
      note: joinNotes(DETECTOR_NOTE, ignored),
    };
  }
  return { type: 'uncalibrated', rowSpacingMm: null, columnSpacingMm: null, source: 'no usable spacing in the header', note: uncalibratedNote(problems) };
}

function uncalibratedNote(problems: string[]): string {
  return joinNotes('Uncalibrated: angles and WBL % are valid; mm values stay hidden until you calibrate with a marker.', ...problems)!;
}

/** clinical-spec §4: a calibration from explicit spacing (e.g. the command line); invalid spacing is refused. */
export function calibrationFromSpacing(rowSpacingMm: number, columnSpacingMm: number, source: string, type: Calibration['type'] = 'calibrated'): Calibration {
  if (type === 'uncalibrated') throw new EngineError('INVALID_INPUT', 'An explicit spacing cannot be of type uncalibrated.');
  assertValidSpacing(rowSpacingMm, columnSpacingMm, source);
  return { type, rowSpacingMm, columnSpacingMm, source, note: type === 'detector' ? DETECTOR_NOTE : null };
}

export const UNCALIBRATED: Calibration = Object.freeze({
  type: 'uncalibrated',
  rowSpacingMm: null,
  columnSpacingMm: null,
  source: 'none',
  note: 'Uncalibrated: angles and WBL % are valid; mm values stay hidden until you calibrate with a marker.',
}) as Calibration;

/** clinical-spec §4: ERMF = SID / SOD (source–image over source–object distance). */
export function magnificationFactorFromDistances(sourceImageDistanceMm: number, sourceObjectDistanceMm: number): number {
  if (!(sourceImageDistanceMm > 0) || !(sourceObjectDistanceMm > 0) || !Number.isFinite(sourceImageDistanceMm) || !Number.isFinite(sourceObjectDistanceMm)) {
    throw new EngineError('INVALID_INPUT', 'Source–image and source–object distances must be positive numbers of mm.');
  }
  return sourceImageDistanceMm / sourceObjectDistanceMm;
}

/** clinical-spec §4: spacing at the patient = detector spacing ÷ ERMF. */
export function magnificationCorrectedSpacing(detectorSpacingMm: number, magnificationFactor: number): number {
  if (!(magnificationFactor > 0) || !Number.isFinite(magnificationFactor)) {
    throw new EngineError('INVALID_INPUT', `The magnification factor must be a positive number, not ${String(magnificationFactor)}.`);
  }
  assertValidSpacing(detectorSpacingMm, detectorSpacingMm, 'the detector');
  return detectorSpacingMm / magnificationFactor;
}

/** clinical-spec §4: the size an object of true size appears at a given magnification in percent. */
export function apparentSizeMm(trueSizeMm: number, magnificationPercent: number): number {
  return trueSizeMm * (1 + magnificationPercent / 100);
}
