// The theatre report's pure logic: turns what computePlan (clinical-spec §5) and
// computeLegAlignment (§3) return into the rows, sentences and warnings the printed page shows.
// Nothing here computes a number of its own except the hinge and cut-entry offsets, which are the
// same decomposition the engine uses to place the default hinge (osteotomy.ts
// defaultCutPointsLeg). No DOM and no zod (the page runs under a CSP without eval).
import type { ImageDetail, SavedPlan } from '../../../../shared/ipc/contract';
import { MEASURE_DEFINITIONS } from '../../../../shared/measurements/definitions';
import { fixed1 } from '../../../../shared/measurements/format';
import type { LegAlignment, Measurement } from '../../../../shared/measurements/leg-alignment';
import type { OsteotomyCut, PlanResult } from '../../../../shared/planning/osteotomy';
import type { Calibration, CalibrationType } from '../../../../shared/schemas/calibration';
import type { LandmarkSet } from '../../../../shared/schemas/landmark-set';
import type { Procedure } from '../../../../shared/schemas/plan';
import { formatDicomDate, formatPersonName, formatSex } from '../../format';
import { isRemeasured, jointLineObliquityDeg, procedureLabel, targetLabel, todayIso } from '../plan/plan-model';

type Side = 'L' | 'R';
type Edge = 'medial' | 'lateral';

/** What a mm value shows when the film has no usable spacing (clinical-spec §4 rule 5). */
export const NEEDS_CALIBRATION = 'needs calibration';

/** clinical-spec §4: every mm value is shown with its calibration type; these are the words on paper. */
export const CALIBRATION_WORDS: Record<CalibrationType, string> = {
  user: 'user marker calibration',
  calibrated: 'calibrated pixel spacing',
  'magnification-corrected': 'magnification-corrected',
  detector: 'detector plane (10–20 % too large at the patient)',
  uncalibrated: 'uncalibrated',
};

const mmText = (v: number | null) => (v === null ? NEEDS_CALIBRATION : `${fixed1(v)} mm`);
const degText = (v: number) => `${fixed1(v)}°`;
/** "2024-06-11 14:05" in the workstation's time zone (ISO order reads the same in every locale). */
export const localDateTime = (d: Date) => `${todayIso(d)} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
export const sideWords = (side: Side) => (side === 'R' ? 'right' : 'left');

/** One number for theatre: the raw value (for tests), its text and, for mm, the calibration it rests on. */
export interface TheatreNumber {
  id: string;
  label: string;
  value: number | null;
  text: string;
  calibration: CalibrationType | null;
  /** The one the surgeon acts on: printed large. */
  primary: boolean;
}

/** Where a hinge or cut entry sits, in mm from the nearest cortex and the joint line. */
export interface PointPosition {
  cortex: Edge;
  /** Along the joint line, positive towards the other cortex (inside the bone); null when uncalibrated. */
  insideMm: number | null;
  /** Along the bone's mechanical axis away from the joint (below the plateau, above the condyles); null when uncalibrated. */
  fromJointMm: number | null;
  text: string;
}

export interface CutSummary {
  index: number;
  bone: OsteotomyCut['bone'];
  wedge: OsteotomyCut['wedge'];
  title: string;
  numbers: TheatreNumber[];
  hinge: PointPosition;
  cutEntry: PointPosition;
}

/**
 * clinical-spec §5 labels: "wedge angle" α (what the surgeon opens or closes), the gap at the
 * cortex as the exact chord 2L·sin(α/2), L·tan α only for comparison, and L itself. mm values are
 * null on an uncalibrated film (§4 rule 5) and then say so instead of showing a number.
 */
export function cutNumbers(cut: OsteotomyCut, calibration: Calibration, suffix = ''): TheatreNumber[] {
  const cal = calibration.type === 'uncalibrated' ? null : calibration.type;
  const verb = cut.wedge === 'opening' ? 'open' : 'close';
  return [
    { id: `wedgeAngle${suffix}`, label: `Wedge angle α (what you ${verb})`, value: cut.wedgeAngleDeg, text: degText(cut.wedgeAngleDeg), calibration: null, primary: true },
    {
      id: `gapChord${suffix}`,
      label: cut.wedge === 'opening' ? 'Gap at the cortex, 2L·sin(α/2)' : 'Wedge base at the cortex, 2L·sin(α/2)',
      value: cut.gapChordMm,
      text: mmText(cut.gapChordMm),
      calibration: cut.gapChordMm === null ? null : cal,
      primary: true,
    },
    { id: `gapTangent${suffix}`, label: 'L·tan α (for comparison only)', value: cut.gapTangentMm, text: mmText(cut.gapTangentMm), calibration: cut.gapTangentMm === null ? null : cal, primary: false },
    { id: `osteotomyLength${suffix}`, label: 'Osteotomy length L (cut entry to hinge)', value: cut.osteotomyLengthMm, text: mmText(cut.osteotomyLengthMm), calibration: cut.osteotomyLengthMm === null ? null : cal, primary: false },
  ];
}

/** clinical-spec §5 "alignment change": the change of HKA (Dugdale), labelled apart from α. */
export function alignmentChangeNumber(result: PlanResult): TheatreNumber {
  return { id: 'alignmentChange', label: 'Alignment change (HKA)', value: result.alignmentChangeDeg, text: degText(result.alignmentChangeDeg), calibration: null, primary: true };
}

const other = (e: Edge): Edge => (e === 'medial' ? 'lateral' : 'medial');

function positionText(kind: 'hinge' | 'cutEntry', cortex: Edge, bone: OsteotomyCut['bone'], inside: number | null, fromJoint: number | null, calibrated: boolean): string {
  if (!calibrated) return `position in mm ${NEEDS_CALIBRATION}`;
  // Calibrated but no basis: a femoral cut placed by hand on a film without the condyles marked.
  if (inside === null || fromJoint === null) return 'position in mm needs both femoral condyles';
  // fromJoint is positive away from the joint: below it on the tibia, above it on the femur.
  const joint = `${fixed1(Math.abs(fromJoint))} mm ${(fromJoint >= 0) === (bone === 'tibia') ? 'below' : 'above'} the joint line`;
  const across = `${fixed1(Math.abs(inside))} mm ${inside >= 0 ? 'inside' : 'outside'} the ${cortex} cortex`;
  // A cut entry on the cortex itself (the default) reads as such, not as "0.0 mm inside".
  if (kind === 'cutEntry' && Math.abs(inside) < 0.5) return `${joint}, at the ${cortex} cortex`;
  return `${across}, ${joint}`;
}

/** The hinge and cut entry of one cut in mm from their cortices and the joint line, as the engine reads them (clinical-spec §5). */
export function cutPositions(cut: OsteotomyCut, calibration: Calibration): { hinge: PointPosition; cutEntry: PointPosition } {
  const calibrated = calibration.type !== 'uncalibrated';
  const at = (kind: 'hinge' | 'cutEntry', cortex: Edge, o: OsteotomyCut['hingeOffset']): PointPosition => ({
    cortex,
    insideMm: o?.insideMm ?? null,
    fromJointMm: o?.fromJointMm ?? null,
    text: positionText(kind, cortex, cut.bone, o?.insideMm ?? null, o?.fromJointMm ?? null, calibrated),
  });
  return { hinge: at('hinge', cut.hingeSide, cut.hingeOffset), cutEntry: at('cutEntry', other(cut.hingeSide), cut.cutEntryOffset) };
}

export function cutSummaries(calibration: Calibration, result: PlanResult): CutSummary[] {
  const double = result.cuts.length > 1;
  return result.cuts.map((cut, i) => ({
    index: i,
    bone: cut.bone,
    wedge: cut.wedge,
    title: double ? (cut.bone === 'tibia' ? 'Tibial cut' : 'Femoral cut') : cut.bone === 'tibia' ? 'Tibial osteotomy' : 'Femoral osteotomy',
    numbers: cutNumbers(cut, calibration, i === 0 ? '' : `-${i}`),
    ...cutPositions(cut, calibration),
  }));
}

/** One row of the pre-op vs predicted table (clinical-spec §3 labels and normal values). */
export interface ComparisonRow {
  id: string;
  label: string;
  pre: string;
  post: string;
  preValue: number | null;
  postValue: number | null;
  normal: string;
  /** For mm rows: the calibration the values rest on (clinical-spec §4); null for angles and %. */
  calibration: CalibrationType | null;
  postOut: boolean;
}

const COMPARED = ['hka', 'mpta', 'mldfa', 'jlca', 'jlo', 'wbl', 'mad'] as const;
const ROW_LABEL: Record<(typeof COMPARED)[number], string> = {
  hka: 'HKA',
  mpta: 'MPTA',
  mldfa: 'mLDFA',
  jlca: 'JLCA',
  jlo: 'JLO (MPTA + mLDFA)',
  wbl: 'WBL ratio',
  mad: 'MAD',
};

/** mm displays end in "(<calibration type>)": the table shows the type in its own column. */
const measureText = (m: Measurement) => (m.value === null ? m.display : m.unit === 'mm' ? m.display.replace(/ \([a-z-]+\)$/, '') : m.display);
const out = (m: Measurement) => m.status === 'low' || m.status === 'high';

/**
 * Pre-op vs predicted, straight from the engine's measurements (clinical-spec §3 conventions:
 * HKA as "173.0° (7.0° varus)", MAD with its side, WBL 0 % medial → 100 % lateral), plus the
 * plateau tilt the §5 obliquity flag reads. An uncalibrated film keeps MAD as "needs calibration".
 */
export function comparisonRows(set: LandmarkSet, calibration: Calibration, result: PlanResult): ComparisonRow[] {
  const pre = result.preOp.measurements;
  const post = result.predicted.measurements;
  const rows: ComparisonRow[] = COMPARED.map((id) => {
    const def = MEASURE_DEFINITIONS[id];
    const p = pre[id];
    const q = post[id];
    const target = id === 'wbl' && result.target.kind === 'wbl' ? `target ${fixed1(result.target.percent)} %` : null;
    const mmRow = def.unit === 'mm' && calibration.type !== 'uncalibrated';
    return {
      id,
      label: ROW_LABEL[id],
      pre: measureText(p),
      post: measureText(q),
      preValue: p.value,
      postValue: q.value,
      normal: target ?? def.normalText ?? '—',
      calibration: mmRow ? calibration.type : null,
      postOut: out(q),
    };
  });
  const tiltPre = jointLineObliquityDeg(set, calibration, result.preOp);
  const tiltPost = result.predictedJointLineObliquityDeg;
  rows.push({
    id: 'plateauTilt',
    label: 'Plateau tilt to the mechanical axis',
    pre: tiltPre === null ? '—' : degText(tiltPre),
    post: tiltPost === null ? '—' : degText(tiltPost),
    preValue: tiltPre,
    postValue: tiltPost,
    normal: 'flag above 5°',
    calibration: null,
    postOut: tiltPost !== null && tiltPost > 5,
  });
  return rows;
}

/** The procedure in words: what is cut, where the hinge is, what is opened, and what it does to the leg. */
export function procedureSentences(procedure: Procedure, side: Side, result: PlanResult, cuts: readonly CutSummary[]): string[] {
  const out: string[] = [`${procedureLabel(procedure)} of the ${sideWords(side)} leg.`];
  for (const c of cuts) {
    const cut = result.cuts[c.index]!;
    const bone = c.bone === 'tibia' ? 'tibia' : 'femur';
    // Where exactly the hinge and the cut entry are is in the positions below the numbers.
    const entry = `from the ${c.cutEntry.cortex} cortex`;
    const hinge = `to a ${c.hinge.cortex} hinge`;
    const size = cut.gapChordMm === null ? '' : `, ${fixed1(cut.gapChordMm)} mm at the cortex`;
    out.push(`Cut the ${bone} ${entry} ${hinge}; ${cut.wedge === 'opening' ? 'open' : 'close'} the wedge by α = ${degText(cut.wedgeAngleDeg)}${size}.`);
  }
  const wbl = (m: LegAlignment) => (m.measurements.wbl.value === null ? '—' : `${fixed1(m.measurements.wbl.value)} %`);
  out.push(
    `Target ${targetLabel(result.target)}: the weight-bearing line moves from ${wbl(result.preOp)} to ${wbl(result.predicted)} and HKA from ${result.preOp.measurements.hka.display} to ${result.predicted.measurements.hka.display}.`,
  );
  if (result.softTissue.note) out.push(result.softTissue.note);
  return out;
}

/** Header lines: patient, film and plan as they stand in the library. */
export interface ReportHeader {
  patient: { name: string; id: string; birthDate: string; sex: string };
  film: { date: string; description: string; side: string };
  plan: { name: string; chosen: boolean; surgeon: string; date: string; revision: string };
}

export function reportHeader(detail: ImageDetail, saved: SavedPlan): ReportHeader {
  return {
    patient: {
      name: formatPersonName(detail.patient.name),
      id: detail.patient.patientId || '—',
      birthDate: formatDicomDate(detail.patient.birthDate),
      sex: formatSex(detail.patient.sex) || '—',
    },
    film: { date: formatDicomDate(detail.study.studyDate), description: detail.study.description || '—', side: `${saved.side === 'R' ? 'Right' : 'Left'} leg` },
    plan: {
      name: saved.plan.name,
      chosen: saved.chosen,
      surgeon: saved.plan.surgeon || '—',
      date: saved.plan.date ?? '—',
      revision: `${localDateTime(new Date(saved.updatedAt))} (revision ${saved.revision})`,
    },
  };
}

export interface ReportWarning {
  code: 'REMEASURED' | 'UNCALIBRATED' | 'DETECTOR';
  severity: 'strong' | 'warn' | 'info';
  text: string;
}

/**
 * What must be read before the numbers: landmarks edited after the plan was saved (the numbers are
 * recomputed from the new ones, as on the plan screen) and the calibration caveats of clinical-spec
 * §4. (A plan not marked as chosen says so beside its name in the header.) `atPlanning` is computePlan on the landmark revision
 * the plan was saved on, when that revision could be read.
 */
export function reportWarnings(saved: SavedPlan, calibration: Calibration, now: PlanResult | null, atPlanning: PlanResult | null): ReportWarning[] {
  const warnings: ReportWarning[] = [];
  if (isRemeasured(saved)) {
    let text =
      `The landmarks were edited after this plan was saved (plan made on landmark revision ${saved.landmarkRevision}, the leg is now at revision ${saved.latestLandmarkRevision}). ` +
      'The numbers on this report are recomputed from the current landmarks and differ from the plan as it was made: check the plan on the planning screen before theatre.';
    if (now && atPlanning) {
      const gap = (r: PlanResult) => (r.cuts[0]?.gapChordMm == null ? '' : `, gap ${fixed1(r.cuts[0].gapChordMm)} mm`);
      text += ` When planned: α ${degText(atPlanning.wedgeAngleDeg)}${gap(atPlanning)}; now: α ${degText(now.wedgeAngleDeg)}${gap(now)}.`;
    }
    warnings.push({ code: 'REMEASURED', severity: 'strong', text });
  }
  if (calibration.type === 'uncalibrated') {
    warnings.push({
      code: 'UNCALIBRATED',
      severity: 'warn',
      text: 'Uncalibrated image: mm values are hidden. Angles and WBL % are valid. Calibrate on a marker of known size on the measuring screen to see the gap and hinge offsets in mm.',
    });
  } else if (calibration.type === 'detector') {
    warnings.push({ code: 'DETECTOR', severity: 'warn', text: calibration.note ?? 'Detector spacing: mm values are 10–20 % too large at the patient.' });
  }
  return warnings;
}
