// The theatre report's rows and sentences: the numbers are computePlan's with clinical-spec §5
// labels and their calibration (§4), mm hidden on an uncalibrated film, the default hinge and cut
// entry read back as the §5 offsets they were placed at, and the warnings for a re-measured leg.
import { describe, expect, it } from 'vitest';
import { decideCalibration, UNCALIBRATED } from '../../../shared/calibration/calibration';
import type { ImageDetail, SavedPlan } from '../../../shared/ipc/contract';
import { formatHka } from '../../../shared/measurements/format';
import { computePlan } from '../../../shared/planning/osteotomy';
import type { LandmarkSet } from '../../../shared/schemas/landmark-set';
import type { Plan, Procedure } from '../../../shared/schemas/plan';
import { newPlan } from '../../../renderer/src/screens/plan/plan-model';
import {
  alignmentChangeNumber,
  comparisonRows,
  cutNumbers,
  cutPositions,
  cutSummaries,
  localDateTime,
  NEEDS_CALIBRATION,
  procedureSentences,
  reportHeader,
  reportWarnings,
} from '../../../renderer/src/screens/report/report-model';
import golden from '../../fixtures/golden/landmark-set.v1.json';

const set = { ...(golden as unknown as LandmarkSet), userCalibration: null };
const calibration = decideCalibration({ modality: 'DX', pixelSpacing: null, imagerPixelSpacing: [0.15, 0.15], estimatedRadiographicMagnificationFactor: 1.1, pixelSpacingCalibrationType: null });
const plan = (procedure: Procedure = 'hto-medial-opening', extra: Partial<Plan> = {}): Plan => ({ ...newPlan({ name: 'Plan A', surgeon: 'Dr. A', date: '2025-03-01' }), procedure, ...extra });

function saved(overrides: Partial<SavedPlan> = {}): SavedPlan {
  return {
    planId: 7,
    patientId: 1,
    imageId: 3,
    sopInstanceUid: set.sopInstanceUid,
    frame: 0,
    side: 'R',
    studyId: 2,
    studyDate: '20250214',
    chosen: true,
    revision: 4,
    createdAt: '2025-03-01T08:00:00.000Z',
    updatedAt: '2025-03-01T09:30:00.000Z',
    landmarkRevision: 5,
    latestLandmarkRevision: 5,
    plan: plan(),
    ...overrides,
  };
}

describe('theatre numbers', () => {
  it('are computePlan’s, labelled as clinical-spec §5 labels them, each mm value with its calibration', () => {
    expect(calibration.type).toBe('magnification-corrected');
    const r = computePlan(set, calibration, plan());
    const cut = r.cuts[0]!;
    const n = Object.fromEntries(cutNumbers(cut, calibration).map((x) => [x.id, x]));
    expect(n.wedgeAngle).toMatchObject({ label: 'Wedge angle α (what you open)', value: cut.wedgeAngleDeg, text: `${cut.wedgeAngleDeg.toFixed(1)}°`, calibration: null, primary: true });
    expect(n.gapChord).toMatchObject({ label: 'Gap at the cortex, 2L·sin(α/2)', value: cut.gapChordMm, text: `${cut.gapChordMm!.toFixed(1)} mm`, calibration: 'magnification-corrected', primary: true });
    expect(n.gapTangent).toMatchObject({ label: 'L·tan α (for comparison only)', value: cut.gapTangentMm, calibration: 'magnification-corrected', primary: false });
    expect(n.osteotomyLength!.value).toBe(cut.osteotomyLengthMm);
    // The chord, not the tangent, is the gap; they differ by more than display rounding at these angles.
    expect(cut.gapChordMm!).toBeCloseTo(2 * cut.osteotomyLengthMm! * Math.sin((cut.wedgeAngleDeg * Math.PI) / 360), 9);
    expect(cut.gapTangentMm! - cut.gapChordMm!).toBeGreaterThan(0.05);
    expect(alignmentChangeNumber(r)).toMatchObject({ id: 'alignmentChange', label: 'Alignment change (HKA)', value: r.alignmentChangeDeg, text: `${r.alignmentChangeDeg.toFixed(1)}°` });
    expect(r.alignmentChangeDeg).toBeLessThan(r.wedgeAngleDeg);
  });

  it('a closing wedge is closed and its chord is the wedge base', () => {
    const r = computePlan(set, calibration, plan('hto-lateral-closing'));
    const [angle, base] = cutNumbers(r.cuts[0]!, calibration);
    expect(angle!.label).toBe('Wedge angle α (what you close)');
    expect(base!.label).toBe('Wedge base at the cortex, 2L·sin(α/2)');
  });

  it('an uncalibrated film shows no mm value: every mm number says it needs calibration', () => {
    const r = computePlan(set, UNCALIBRATED, plan());
    const numbers = cutNumbers(r.cuts[0]!, UNCALIBRATED);
    expect(numbers[0]!.value).toBe(r.wedgeAngleDeg);
    for (const n of numbers.slice(1)) {
      expect(n.value, n.id).toBeNull();
      expect(n.text, n.id).toBe(NEEDS_CALIBRATION);
      expect(n.calibration, n.id).toBeNull();
    }
  });
});

describe('hinge and cut entry positions', () => {
  it('read the clinical-spec §5 default hinge back as 10 mm inside the lateral cortex, 15 mm below the joint line', () => {
    const r = computePlan(set, calibration, plan());
    expect(r.cuts[0]!.hingeSource).toBe('default');
    const { hinge, cutEntry } = cutPositions(r.cuts[0]!, calibration);
    expect(hinge.cortex).toBe('lateral');
    expect(hinge.insideMm).toBeCloseTo(10, 9);
    expect(hinge.fromJointMm).toBeCloseTo(15, 9);
    expect(hinge.text).toBe('10.0 mm inside the lateral cortex, 15.0 mm below the joint line');
    // The default cut entry: 40 mm below the medial plateau edge, on the cortex.
    expect(cutEntry.cortex).toBe('medial');
    expect(cutEntry.insideMm).toBeCloseTo(0, 9);
    expect(cutEntry.fromJointMm).toBeCloseTo(40, 9);
    expect(cutEntry.text).toBe('40.0 mm below the joint line, at the medial cortex');
  });

  it('a closing HTO hinges medially, a DFO on the femur above the joint line', () => {
    const closing = computePlan(set, calibration, plan('hto-lateral-closing'));
    const c = cutPositions(closing.cuts[0]!, calibration);
    expect(c.hinge.text).toBe('10.0 mm inside the medial cortex, 15.0 mm below the joint line');
    expect(c.cutEntry.text).toBe('25.0 mm below the joint line, at the lateral cortex');
    const dfo = computePlan(set, calibration, plan('dfo-lateral-opening', { target: { kind: 'wbl', percent: 50, preset: 'neutral' } }));
    const d = cutPositions(dfo.cuts[0]!, calibration);
    expect(dfo.cuts[0]!.bone).toBe('femur');
    expect(d.hinge.text).toBe('10.0 mm inside the medial cortex, 30.0 mm above the joint line');
    expect(d.cutEntry.text).toBe('65.0 mm above the joint line, at the lateral cortex');
  });

  it('a hinge the surgeon dragged outside the cortex says so', () => {
    const r0 = computePlan(set, calibration, plan());
    // 20 px = 20 · 0.15 / 1.1 mm further lateral (x decreases towards lateral on a right leg here).
    const moved = { ...r0.cuts[0]!.hinge, x: r0.cuts[0]!.hinge.x - (20 * 1.1) / 0.15 };
    const r = computePlan(set, calibration, plan('hto-medial-opening', { hinge: moved, cutEntry: r0.cuts[0]!.cutEntry }));
    const { hinge } = cutPositions(r.cuts[0]!, calibration);
    expect(hinge.insideMm!).toBeLessThan(0);
    expect(hinge.text).toMatch(/^\d+\.\d mm outside the lateral cortex, \d+\.\d mm below the joint line$/);
  });

  it('hide their mm on an uncalibrated film; a hand-placed femoral cut without the condyles says what it needs', () => {
    const r = computePlan(set, UNCALIBRATED, plan());
    const { hinge, cutEntry } = cutPositions(r.cuts[0]!, UNCALIBRATED);
    expect(hinge).toMatchObject({ cortex: 'lateral', insideMm: null, fromJointMm: null, text: 'position in mm needs calibration' });
    expect(cutEntry.insideMm).toBeNull();
    const dfo = computePlan(set, calibration, plan('dfo-lateral-opening', { target: { kind: 'wbl', percent: 50, preset: 'neutral' } }));
    const noCondyles = { ...set, landmarks: { ...set.landmarks, femoralCondyleMedial: undefined } };
    const placed = computePlan(noCondyles, calibration, plan('dfo-lateral-opening', { target: { kind: 'wbl', percent: 50, preset: 'neutral' }, hinge: dfo.cuts[0]!.hinge, cutEntry: dfo.cuts[0]!.cutEntry }));
    expect(placed.cuts[0]!.hingeOffset).toBeNull();
    expect(cutPositions(placed.cuts[0]!, calibration).hinge).toMatchObject({ cortex: 'medial', insideMm: null, text: 'position in mm needs both femoral condyles' });
  });

  it('a double-level plan has a tibial and a femoral cut, titled apart', () => {
    const r = computePlan(set, calibration, plan('double-level', { doubleLevel: { maxPostOpMptaDeg: 90, femoralHinge: null, femoralCutEntry: null } }));
    const cuts = cutSummaries(calibration, r);
    expect(cuts.map((c) => [c.title, c.bone])).toEqual([
      ['Tibial cut', 'tibia'],
      ['Femoral cut', 'femur'],
    ]);
    expect(cuts[1]!.numbers[0]!.id).toBe('wedgeAngle-1');
    expect(cuts[1]!.hinge.cortex).toBe('medial');
  });
});

describe('pre-op vs predicted table', () => {
  it('carries the engine’s measurements with clinical-spec §3 text and normal values, the calibration beside mm', () => {
    const r = computePlan(set, calibration, plan());
    const rows = Object.fromEntries(comparisonRows(set, calibration, r).map((x) => [x.id, x]));
    expect(Object.keys(rows)).toEqual(['hka', 'mpta', 'mldfa', 'jlca', 'jlo', 'wbl', 'mad', 'plateauTilt']);
    expect(rows.hka).toMatchObject({ pre: formatHka(r.preOp.measurements.hka.value!), post: formatHka(r.predicted.measurements.hka.value!), normal: '180 ± 3°', calibration: null });
    expect(rows.mpta).toMatchObject({ preValue: r.preOp.measurements.mpta.value, postValue: r.predicted.measurements.mpta.value, normal: '87° (85–90)' });
    expect(rows.mldfa!.postValue).toBe(rows.mldfa!.preValue); // an HTO leaves the femur alone
    expect(rows.wbl).toMatchObject({ post: `${r.predicted.measurements.wbl.value!.toFixed(1)} %`, normal: 'target 62.5 %' });
    expect(rows.wbl!.postValue!).toBeCloseTo(62.5, 6);
    expect(rows.mad!.calibration).toBe('magnification-corrected');
    expect(rows.mad!.pre).toMatch(/^\d+\.\d mm (medial|lateral)$/); // the type sits in its own column
    expect(rows.plateauTilt!.postValue).toBe(r.predictedJointLineObliquityDeg);
    expect(rows.mpta!.postOut).toBe(r.predicted.measurements.mpta.status === 'high');
  });

  it('an uncalibrated film keeps MAD as "needs calibration" and names no calibration', () => {
    const r = computePlan(set, UNCALIBRATED, plan());
    const mad = comparisonRows(set, UNCALIBRATED, r).find((x) => x.id === 'mad')!;
    expect(mad).toMatchObject({ pre: 'needs calibration', post: 'needs calibration', preValue: null, postValue: null, calibration: null });
  });
});

describe('procedure, header and warnings', () => {
  it('says the procedure in words with α, the gap and where the WBL and HKA go', () => {
    const r = computePlan(set, calibration, plan());
    const text = procedureSentences('hto-medial-opening', 'R', r, cutSummaries(calibration, r)).join(' ');
    expect(text).toContain('Medial opening-wedge HTO of the right leg.');
    expect(text).toContain(`open the wedge by α = ${r.wedgeAngleDeg.toFixed(1)}°, ${r.cuts[0]!.gapChordMm!.toFixed(1)} mm at the cortex`);
    expect(text).toContain('from the medial cortex to a lateral hinge');
    expect(text).toContain(`moves from ${r.preOp.measurements.wbl.value!.toFixed(1)} % to 62.5 %`);
    expect(text).toContain('Target WBL 62.5 % Fujisawa');
    const uncal = computePlan(set, UNCALIBRATED, plan());
    expect(procedureSentences('hto-medial-opening', 'R', uncal, cutSummaries(UNCALIBRATED, uncal)).join(' ')).not.toMatch(/mm/);
  });

  it('formats the header as the library shows it', () => {
    const detail = {
      patient: { id: 1, patientId: 'P-1', name: 'DOE^Jane', birthDate: '19600102', sex: 'F', studyCount: 1, lastStudyDate: null },
      study: { studyDate: '20250214', description: 'Long leg', id: 2 },
    } as unknown as ImageDetail;
    const h = reportHeader(detail, saved({ chosen: false, plan: plan('hto-medial-opening', { surgeon: null }) }));
    expect(h.patient).toEqual({ name: 'DOE, Jane', id: 'P-1', birthDate: '1960-01-02', sex: 'female' });
    expect(h.film).toEqual({ date: '2025-02-14', description: 'Long leg', side: 'Right leg' });
    expect(h.plan).toMatchObject({ name: 'Plan A', chosen: false, surgeon: '—', date: '2025-03-01' });
    expect(h.plan.revision).toBe(`${localDateTime(new Date('2025-03-01T09:30:00.000Z'))} (revision 4)`);
    expect(localDateTime(new Date(2025, 2, 1, 7, 5))).toBe('2025-03-01 07:05');
  });

  it('warns when the landmarks changed after the plan was saved, with α and the gap then and now', () => {
    const now = computePlan(set, calibration, plan());
    const moved = { ...set, landmarks: { ...set.landmarks, ankleCentre: { ...set.landmarks.ankleCentre!, x: set.landmarks.ankleCentre!.x + 40 } } };
    const then = computePlan(moved, calibration, plan());
    expect(reportWarnings(saved(), calibration, now, null)).toEqual([]);
    const [w] = reportWarnings(saved({ landmarkRevision: 3, latestLandmarkRevision: 5 }), calibration, now, then);
    expect(w!.code).toBe('REMEASURED');
    expect(w!.severity).toBe('strong');
    expect(w!.text).toContain('landmark revision 3, the leg is now at revision 5');
    expect(w!.text).toContain(`When planned: α ${then.wedgeAngleDeg.toFixed(1)}°, gap ${then.cuts[0]!.gapChordMm!.toFixed(1)} mm; now: α ${now.wedgeAngleDeg.toFixed(1)}°`);
    // Without the old revision the warning still stands, without the comparison.
    expect(reportWarnings(saved({ landmarkRevision: 3 , latestLandmarkRevision: 5 }), calibration, now, null)[0]!.text).not.toContain('When planned');
  });

  it('states the calibration caveats of clinical-spec §4', () => {
    expect(reportWarnings(saved(), UNCALIBRATED, null, null).map((w) => w.code)).toEqual(['UNCALIBRATED']);
    expect(reportWarnings(saved(), UNCALIBRATED, null, null)[0]!.text).toContain('mm values are hidden');
    const detector = decideCalibration({ modality: 'DX', pixelSpacing: null, imagerPixelSpacing: [0.15, 0.15], estimatedRadiographicMagnificationFactor: null, pixelSpacingCalibrationType: null });
    expect(detector.type).toBe('detector');
    expect(reportWarnings(saved(), detector, null, null)).toEqual([{ code: 'DETECTOR', severity: 'warn', text: detector.note }]);
  });
});
