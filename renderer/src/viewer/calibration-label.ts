// Calibration type shown next to the image (clinical-spec §4), from the header alone: a user
// calibration does not exist yet at this stage. Order and wording follow §4 steps 2–5.
import type { DicomHeader } from '../../../shared/dicom/header';

export type HeaderCalibrationType = 'calibrated' | 'magnification-corrected' | 'detector' | 'uncalibrated';

export interface HeaderCalibration {
  type: HeaderCalibrationType;
  /** mm per pixel [row (Δy), column (Δx)] at the patient, or null when uncalibrated. */
  spacing: [number, number] | null;
  source: string;
  note: string | null;
}

const PROJECTION_MODALITIES = new Set(['CR', 'DX', 'MG', 'IO', 'RF', 'XA']);

function usable(values: number[] | null): [number, number] | null {
  if (!values || values.length !== 2) return null;
  const [r, c] = values as [number, number];
  return Number.isFinite(r) && Number.isFinite(c) && r > 0 && c > 0 ? [r, c] : null;
}

export function headerCalibration(h: Pick<DicomHeader, 'pixelSpacing' | 'imagerPixelSpacing' | 'estimatedRadiographicMagnificationFactor' | 'pixelSpacingCalibrationType' | 'modality'>): HeaderCalibration {
  const ps = usable(h.pixelSpacing);
  const ips = usable(h.imagerPixelSpacing);
  const ermf = h.estimatedRadiographicMagnificationFactor;
  const projection = h.modality ? PROJECTION_MODALITIES.has(h.modality.toUpperCase()) : false;
  const sameAsDetector = ps && ips && Math.abs(ps[0] - ips[0]) < 1e-9 && Math.abs(ps[1] - ips[1]) < 1e-9;

  if (ps && !sameAsDetector && (h.pixelSpacingCalibrationType || !projection)) {
    return { type: 'calibrated', spacing: ps, source: 'Pixel Spacing (0028,0030)', note: null };
  }
  if (ips && ermf !== null && Number.isFinite(ermf) && ermf > 0) {
    return {
      type: 'magnification-corrected',
      spacing: [ips[0] / ermf, ips[1] / ermf],
      source: 'Imager Pixel Spacing ÷ Estimated Radiographic Magnification Factor',
      note: null,
    };
  }
  if (ips) {
    return { type: 'detector', spacing: ips, source: 'Imager Pixel Spacing (0018,1164)', note: 'Detector plane: lengths at the patient are about 10–20 % smaller.' };
  }
  if (ps) {
    // A projection film with Pixel Spacing but no calibration type: the spacing is most likely
    // the detector's, so it is shown with the same warning rather than as calibrated.
    return { type: 'detector', spacing: ps, source: 'Pixel Spacing (0028,0030), calibration type not stated', note: 'Probably detector plane: lengths at the patient are about 10–20 % smaller.' };
  }
  return { type: 'uncalibrated', spacing: null, source: 'No usable pixel spacing', note: 'Angles and WBL % work; millimetres need a calibration.' };
}
