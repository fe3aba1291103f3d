import { describe, expect, it } from 'vitest';
import { guidedLandmarkSteps, LANDMARK_CATALOGUE, landmarkLabel } from '../../../shared/landmarks/catalogue';
import { LANDMARK_IDS } from '../../../shared/landmarks/ids';
import { MEASURE_IDS } from '../../../shared/measurements/definitions';

describe('landmark catalogue (clinical-spec §2)', () => {
  it('covers every landmark id plus the head contour, each with a label and description', () => {
    expect(LANDMARK_CATALOGUE.map((e) => e.id).sort()).toEqual([...LANDMARK_IDS, 'femoralHeadContour'].sort());
    for (const e of LANDMARK_CATALOGUE) {
      expect(e.label.length).toBeGreaterThan(3);
      expect(e.description.length).toBeGreaterThan(10);
      for (const m of e.usedBy) expect(MEASURE_IDS).toContain(m);
    }
  });

  it('default variants: contour first, proximal to distal, knee centre clicked, ankle centre optional', () => {
    const steps = guidedLandmarkSteps({ kneeCentre: 'spines', ankleCentre: 'plafond-midpoint', plateau: 'edges' }).map((s) => s.id);
    expect(steps).toEqual([
      'femoralHeadContour',
      'greaterTrochanterTip',
      'femoralShaftProximal',
      'femoralShaftDistal',
      'femoralCondyleMedial',
      'femoralCondyleLateral',
      'kneeCentre',
      'tibialPlateauMedial',
      'tibialPlateauLateral',
      'plafondMedial',
      'plafondLateral',
      'ankleCentre',
    ]);
  });

  it('variants change the steps: no knee click for the plateau midpoint, malleoli for the malleolar ankle, subchondral wording', () => {
    const steps = guidedLandmarkSteps({ kneeCentre: 'plateau-midpoint', ankleCentre: 'malleoli-midpoint', plateau: 'subchondral' });
    const ids = steps.map((s) => s.id);
    expect(ids).not.toContain('kneeCentre');
    expect(ids).not.toContain('ankleCentre');
    expect(ids.slice(-2)).toEqual(['malleolusMedial', 'malleolusLateral']);
    expect(steps.find((s) => s.id === 'tibialPlateauMedial')!.description).toMatch(/subchondral/);
    const soft = guidedLandmarkSteps({ kneeCentre: 'soft-tissue', ankleCentre: 'plafond-midpoint', plateau: 'edges' });
    expect(soft.find((s) => s.id === 'kneeCentre')!.description).toMatch(/soft-tissue/);
  });

  it('labels ids for missing-landmark messages', () => {
    expect(landmarkLabel('tibialPlateauMedial')).toBe('Tibial plateau, medial');
    expect(landmarkLabel('somethingElse')).toBe('somethingElse');
  });
});
