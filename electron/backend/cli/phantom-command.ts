// `osteoplan phantom <outDir> [options]`: writes a generated long-leg film and its truth JSON.
import { AppError } from '../../../shared/ipc/result';
import type { LegGeometryInput, Side } from '../phantom/geometry';
import { generateFollowUpSeries, type FollowUpSeriesOptions } from '../phantom/follow-up-series';
import { demoPatientOptions, writeLongLegFilm, type LongLegFilmOptions } from '../phantom/long-leg-film';

export interface PhantomCommandIo {
  stdout(s: string): void;
  stderr(s: string): void;
}

const LEG_PARAMS: Record<string, keyof LegGeometryInput> = {
  hka: 'hkaDeg',
  mpta: 'mptaDeg',
  mldfa: 'mldfaDeg',
  jlca: 'jlcaDeg',
  ldta: 'ldtaDeg',
  mlpfa: 'mlpfaDeg',
  ama: 'amaDeg',
  femur: 'femurLengthMm',
  tibia: 'tibiaLengthMm',
  plateau: 'plateauWidthMm',
  'joint-space': 'jointSpaceMm',
};

export const PHANTOM_USAGE = `Usage: osteoplan phantom <outDir> [options]

Writes <name>.dcm (a DX "for presentation" standing long-leg film of both legs) and
<name>.truth.json (true landmark pixels, geometry and derived values) into <outDir>.

Geometry, for both legs (--X) or one leg (--r-X, --l-X); angles in degrees, lengths in mm:
  --hka (negative = varus)  --mpta  --mldfa  --jlca   (give at most three, or four that agree:
                                                       HKA = MPTA - mLDFA - JLCA)
  --ldta  --mlpfa  --ama  --femur (H-K)  --tibia (K-A)  --plateau (width)  --joint-space
Film:
  --scale <mm/px>            square detector pixel spacing (default 0.15; 0.6 for a small film)
  --spacing <row>,<col>      non-square ImagerPixelSpacing, e.g. 0.15,0.148
  --ermf <factor>            Estimated Radiographic Magnification Factor (default 1.10)
  --bits <12|14>  --seed <int>  --noise <fraction>  --hips <mm>  --no-sphere  --marker <R|L>
Patient and study:
  --name <PN>  --id <ID>  --birth <YYYYMMDD>  --sex <M|F|O>  --date <YYYYMMDD>  --description <text>
  --out-name <basename>      file base name (default long-leg-phantom)
  --demo                     the demo patient's pre-op film (DEMO^Long-leg phantom)

       osteoplan phantom --series <outDir> [--scale <mm/px>] [--operation-date <YYYY-MM-DD>] [--seed <int>]

Writes a follow-up series of one patient (SERIES^Osteotomy phantom): pre-op varus, post-op day 1
after a medial opening-wedge HTO planned by the engine (WBL 62.5 %), 6 weeks, and 3 months with
2° of lost correction; 1-pre-op.dcm … 4-3-months.dcm, each with its .truth.json (role, operation date).
`;

function number(flag: string, raw: string | undefined): number {
  const v = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isFinite(v)) throw new AppError('INVALID_INPUT', `${flag} needs a number, got "${raw ?? ''}".`);
  return v;
}

/** Parses the arguments into film options; throws INVALID_INPUT with the offending flag named. */
export function parsePhantomArgs(args: string[]): { outDir: string; baseName: string; options: LongLegFilmOptions } {
  let outDir: string | undefined;
  let baseName = 'long-leg-phantom';
  let options: LongLegFilmOptions = {};
  const legs: Record<Side, LegGeometryInput> = { R: {}, L: {} };
  const patient: NonNullable<LongLegFilmOptions['patient']> = {};
  const study: NonNullable<LongLegFilmOptions['study']> = {};
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    const value = () => {
      const v = args[++k];
      if (v === undefined) throw new AppError('INVALID_INPUT', `${arg} needs a value.`);
      return v;
    };
    if (!arg.startsWith('--')) {
      if (outDir !== undefined) throw new AppError('INVALID_INPUT', `Unexpected argument "${arg}": only one output directory.`);
      outDir = arg;
      continue;
    }
    const flag = arg.slice(2);
    const legMatch = /^(?:(r|l)-)?(.+)$/.exec(flag)!;
    const legParam = LEG_PARAMS[legMatch[2]!];
    if (legParam) {
      const v = number(arg, value());
      const sides: Side[] = legMatch[1] ? [legMatch[1].toUpperCase() as Side] : ['R', 'L'];
      for (const side of sides) legs[side][legParam] = v;
      continue;
    }
    switch (flag) {
      case 'demo':
        options = { ...demoPatientOptions(), ...options };
        baseName = baseName === 'long-leg-phantom' ? 'demo-preop-long-leg' : baseName;
        break;
      case 'scale':
        options.scale = number(arg, value());
        break;
      case 'spacing': {
        const parts = value().split(',');
        if (parts.length !== 2) throw new AppError('INVALID_INPUT', '--spacing needs <row>,<col>, e.g. 0.15,0.148.');
        options.imagerPixelSpacingMm = { row: number('--spacing row', parts[0]), column: number('--spacing col', parts[1]) };
        break;
      }
      case 'ermf':
        options.ermf = number(arg, value());
        break;
      case 'bits': {
        const b = number(arg, value());
        if (b !== 12 && b !== 14) throw new AppError('INVALID_INPUT', '--bits must be 12 or 14.');
        options.bitsStored = b;
        break;
      }
      case 'seed':
        options.seed = number(arg, value());
        break;
      case 'noise':
        options.noise = number(arg, value());
        break;
      case 'hips':
        options.hipSeparationMm = number(arg, value());
        break;
      case 'no-sphere':
        options.calibrationSphere = false;
        break;
      case 'marker': {
        const m = value().toUpperCase();
        if (m !== 'R' && m !== 'L') throw new AppError('INVALID_INPUT', '--marker must be R or L.');
        options.marker = m;
        break;
      }
      case 'name':
        patient.name = value();
        break;
      case 'id':
        patient.id = value();
        break;
      case 'birth':
        patient.birthDate = value();
        break;
      case 'sex': {
        const sex = value().toUpperCase();
        if (sex !== 'M' && sex !== 'F' && sex !== 'O') throw new AppError('INVALID_INPUT', '--sex must be M, F or O.');
        patient.sex = sex;
        break;
      }
      case 'date':
        study.date = value();
        break;
      case 'description':
        study.description = value();
        break;
      case 'out-name':
        baseName = value();
        break;
      default:
        throw new AppError('INVALID_INPUT', `Unknown option ${arg}. Run "osteoplan phantom --help".`);
    }
  }
  if (outDir === undefined) throw new AppError('INVALID_INPUT', 'Missing <outDir>.');
  for (const side of ['R', 'L'] as const) {
    if (Object.keys(legs[side]).length > 0) options.legs = { ...options.legs, [side]: { ...options.legs?.[side], ...legs[side] } };
  }
  if (Object.keys(patient).length > 0) options.patient = { ...options.patient, ...patient };
  if (Object.keys(study).length > 0) options.study = { ...options.study, ...study };
  return { outDir, baseName, options };
}

export async function runPhantomCommand(args: string[], io: PhantomCommandIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(PHANTOM_USAGE);
    return 0;
  }
  try {
    if (args.includes('--series')) return runSeries(args, io);
    const { outDir, baseName, options } = parsePhantomArgs(args);
    const { dicomPath, truthPath, truth } = writeLongLegFilm(outDir, options, baseName);
    io.stdout(`Wrote ${dicomPath} (${truth.image.columns} x ${truth.image.rows}, ${truth.renderMs} ms)`);
    io.stdout(`Wrote ${truthPath}`);
    for (const leg of Object.values(truth.legs)) {
      const d = leg.derived;
      io.stdout(
        `  ${leg.side}: HKA ${d.hkaDeviationDeg.toFixed(2)}°, MPTA ${d.mptaDeg.toFixed(2)}°, mLDFA ${d.mldfaDeg.toFixed(2)}°, JLCA ${d.jlcaDeg.toFixed(2)}°, ` +
          `MAD ${d.mechanicalAxisDeviationMm.toFixed(1)} mm ${d.mechanicalAxisDeviationSide}, WBL ${d.wblPercent.toFixed(1)} %`,
      );
    }
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`osteoplan phantom: ${message}`);
    return err instanceof AppError && err.code === 'INVALID_INPUT' ? 2 : 1;
  }
}

/** `--series <outDir>`: the four films of the follow-up phantom. */
function runSeries(args: string[], io: PhantomCommandIo): number {
  let outDir: string | undefined;
  const options: FollowUpSeriesOptions = {};
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    const value = () => {
      const v = args[++k];
      if (v === undefined || v.startsWith('--')) throw new AppError('INVALID_INPUT', `${arg} needs a value.`);
      return v;
    };
    switch (arg) {
      case '--series':
        outDir = value();
        break;
      case '--scale':
        options.film = { scale: number(arg, value()) };
        break;
      case '--operation-date':
        options.operationDate = value();
        break;
      case '--seed':
        options.seed = number(arg, value());
        break;
      default:
        throw new AppError('INVALID_INPUT', `Unknown option ${arg} with --series. Run "osteoplan phantom --help".`);
    }
  }
  if (outDir === undefined) throw new AppError('INVALID_INPUT', '--series needs <outDir>.');
  for (const film of generateFollowUpSeries(outDir, options)) {
    const f = film.truth.followUp;
    io.stdout(`Wrote ${film.dicomPath} (${f.role}, day ${f.daysAfterSurgery}: HKA ${f.hkaDeg.toFixed(2)}°${f.fillPercent === null ? '' : `, gap fill ${f.fillPercent} %`})`);
  }
  return 0;
}
