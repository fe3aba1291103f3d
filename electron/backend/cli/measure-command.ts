// `osteoplan measure <landmarks.json> [--plan <plan.json>] --json` (issue 3): prints every
// measurement of a stored landmark set (and a plan's results) for research scripts and batch
// checks. Pure apart from the injected io, so tests run it without a process or a file system.
import {
  calibrationFromSpacing,
  pixelAspectFromHeader,
  UNCALIBRATED,
  userCalibrationFromMarker,
} from '../../../shared/calibration/calibration';
import { isEngineError } from '../../../shared/geometry/errors';
import { computeLegAlignment, type LegAlignment } from '../../../shared/measurements/leg-alignment';
import { MEASURE_DEFINITIONS, MEASURE_IDS } from '../../../shared/measurements/definitions';
import { computePlan, type PlanResult } from '../../../shared/planning/osteotomy';
import { CalibrationSchema, type Calibration } from '../../../shared/schemas/calibration';
import { parseLandmarkSet, type LandmarkSet } from '../../../shared/schemas/landmark-set';
import { parsePlan } from '../../../shared/schemas/plan';

export interface MeasureCommandIo {
  readFile(path: string): string;
  stdout(s: string): void;
  stderr(s: string): void;
}

export const MEASURE_USAGE = `Usage: osteoplan measure <landmarks.json> [--plan <plan.json>] [--spacing <row>,<column> | --calibration <calibration.json>] [--json]

  <landmarks.json>   a stored landmark set (schemaVersion 1): landmarks in image pixel coordinates
  --plan <file>      an osteotomy plan (schemaVersion 1): also prints wedge angle, gap, predicted values and flags
  --spacing r,c      mm per pixel, row spacing first as in PixelSpacing (0028,0030); taken as calibrated
  --calibration <f>  a calibration value {type, rowSpacingMm, columnSpacingMm, source, note}
  --json             print JSON (default: a readable table)

A user calibration marker stored in the landmark set always wins (clinical-spec §4). Without any
spacing the image is uncalibrated: angles and WBL % are printed, mm values are not.
Exit codes: 0 done, 1 invalid input, 2 usage error.`;

class UsageError extends Error {}
class InputError extends Error {}

interface Options {
  landmarksPath: string;
  planPath: string | null;
  spacing: [number, number] | null;
  calibrationPath: string | null;
  json: boolean;
  help: boolean;
}

function parseArgs(args: string[]): Options {
  const rest = args[0] === 'measure' ? args.slice(1) : [...args];
  const o: Options = { landmarksPath: '', planPath: null, spacing: null, calibrationPath: null, json: false, help: false };
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value.`);
      return v;
    };
    if (a === '--json') o.json = true;
    else if (a === '--help' || a === '-h') o.help = true;
    else if (a === '--plan') o.planPath = value();
    else if (a === '--spacing') o.spacing = parseSpacing(value());
    else if (a === '--calibration') o.calibrationPath = value();
    else if (a.startsWith('--')) throw new UsageError(`Unknown option ${a}.`);
    else positional.push(a);
  }
  if (o.help) return o;
  if (positional.length !== 1) throw new UsageError(positional.length ? `Expected one landmarks file, got ${positional.length}.` : 'Missing <landmarks.json>.');
  if (o.spacing && o.calibrationPath) throw new UsageError('Give --spacing or --calibration, not both.');
  o.landmarksPath = positional[0]!;
  return o;
}

function readJson(io: MeasureCommandIo, path: string, what: string): unknown {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (e) {
    throw new InputError(`Cannot read the ${what} ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`The ${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

function parseSpacing(text: string): [number, number] {
  const parts = text.split(/[,\\]/).map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.length !== 2 || parts.some((p) => p === '')) throw new UsageError(`--spacing needs two numbers, row then column (e.g. 0.143,0.143), not "${text}".`);
  return [nums[0]!, nums[1]!];
}

/** clinical-spec §4 order for the command line: the set's own marker, then --calibration, then --spacing. */
function resolveCalibration(io: MeasureCommandIo, set: LandmarkSet, o: Options): Calibration {
  let given: Calibration | null = null;
  if (o.calibrationPath) {
    const parsed = CalibrationSchema.safeParse(readJson(io, o.calibrationPath, 'calibration'));
    if (!parsed.success) throw new InputError(`The calibration ${o.calibrationPath} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    given = parsed.data;
  } else if (o.spacing) {
    const [row, column] = o.spacing;
    given = calibrationFromSpacing(row, column, '--spacing');
  }
  if (set.userCalibration) {
    const aspect = given && given.rowSpacingMm !== null ? { row: given.rowSpacingMm, column: given.columnSpacingMm! } : pixelAspectFromHeader(null);
    return userCalibrationFromMarker(set.userCalibration, aspect);
  }
  return given ?? { ...UNCALIBRATED, source: 'no spacing given (--spacing or --calibration)' };
}

/** The named fields in that order: the JSON output lists exactly these, whatever else the engine's objects carry. */
function pick<T, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, value[k]])) as Pick<T, K>;
}

const MEASUREMENT_FIELDS = ['label', 'value', 'unit', 'display', 'status', 'normal', 'direction', 'missing', 'reason'] as const;

function alignmentJson(a: LegAlignment) {
  return {
    measurements: Object.fromEntries(MEASURE_IDS.map((id) => [id, pick(a.measurements[id], MEASUREMENT_FIELDS)])),
    ...pick(a, ['identityCheck', 'malalignment', 'keyPoints', 'femoralHeadCircle', 'wblPoint', 'warnings']),
  };
}

function planJson(p: PlanResult) {
  return {
    ...pick(p, [
      'procedure',
      'target',
      'targetPoint',
      'targetWblPercent',
      'wedgeAngleDeg',
      'alignmentChangeDeg',
      'hkaChangeDeg',
      'cuts',
      'softTissue',
      'predictedJointLineObliquityDeg',
      'flags',
    ]),
    predicted: alignmentJson(p.predicted),
    transformedLandmarks: { landmarks: p.transformedSet.landmarks, femoralHeadContour: p.transformedSet.femoralHeadContour },
  };
}

function table(a: LegAlignment): string {
  const lines = MEASURE_IDS.map((id) => {
    const m = a.measurements[id];
    const normal = MEASURE_DEFINITIONS[id].normalText;
    const status = m.status === 'unavailable' ? `unavailable: ${m.reason}` : m.status === 'info' ? '' : m.status;
    return `  ${m.label.padEnd(20)} ${m.display.padEnd(36)} ${normal ? `normal ${normal}`.padEnd(24) : ''.padEnd(24)} ${status}`.trimEnd();
  });
  return [...lines, `  Self-check: ${a.identityCheck.message}`, `  Malalignment test: ${a.malalignment.verdict}`, ...a.warnings.map((w) => `  Warning: ${w}`)].join('\n');
}

const f2 = (v: number | null) => (v === null ? '—' : v.toFixed(2));

/** Runs the measure command; returns the exit code (0 done, 1 invalid input, 2 usage). */
export function runMeasureCommand(args: string[], io: MeasureCommandIo): number {
  let o: Options;
  try {
    o = parseArgs(args);
  } catch (e) {
    io.stderr(`osteoplan measure: ${(e as Error).message}\n\n${MEASURE_USAGE}\n`);
    return 2;
  }
  if (o.help) {
    io.stdout(`${MEASURE_USAGE}\n`);
    return 0;
  }
  try {
    const set = parseLandmarkSet(readJson(io, o.landmarksPath, 'landmark set'));
    const plan = o.planPath ? parsePlan(readJson(io, o.planPath, 'plan')) : null;
    const calibration = resolveCalibration(io, set, o);
    const alignment = computeLegAlignment(set, calibration);
    const planResult = plan ? computePlan(set, calibration, plan) : null;
    if (o.json) {
      const out = {
        command: 'measure',
        algorithmVersion: alignment.algorithmVersion,
        landmarkSet: { sopInstanceUid: set.sopInstanceUid, frame: set.frame, side: set.side, imageFlipped: set.imageFlipped, variants: set.variants },
        calibration,
        ...alignmentJson(alignment),
        plan: planResult ? planJson(planResult) : null,
      };
      io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      const parts = [
        `Leg ${set.side}, image ${set.sopInstanceUid} frame ${set.frame}`,
        `Calibration: ${calibration.type} (${calibration.source})${calibration.note ? ` — ${calibration.note}` : ''}`,
        table(alignment),
      ];
      if (planResult) {
        parts.push(
          `Plan: ${planResult.procedure}, target WBL ${f2(planResult.targetWblPercent)} %`,
          ...planResult.cuts.map(
            (c) =>
              `  ${c.bone} ${c.wedge} wedge: wedge angle ${f2(c.wedgeAngleDeg)}°, L ${f2(c.osteotomyLengthMm)} mm, gap 2L·sin(α/2) ${f2(c.gapChordMm)} mm (L·tan α ${f2(c.gapTangentMm)} mm)`,
          ),
          `  alignment change (Dugdale) ${f2(planResult.alignmentChangeDeg)}°, HKA change ${f2(planResult.hkaChangeDeg)}°`,
          ...(planResult.softTissue.note ? [`  ${planResult.softTissue.note}`] : []),
          'Predicted:',
          table(planResult.predicted),
          ...planResult.flags.map((f) => `  [${f.severity}] ${f.code}: ${f.message}`),
        );
      }
      io.stdout(`${parts.join('\n')}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof InputError || isEngineError(e)) {
      io.stderr(`osteoplan measure: ${e.message}\n`);
      return 1;
    }
    if (e instanceof UsageError) {
      io.stderr(`osteoplan measure: ${e.message}\n\n${MEASURE_USAGE}\n`);
      return 2;
    }
    throw e;
  }
}
