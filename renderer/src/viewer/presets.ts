// Window/level presets: every window the file carries (its author's intent), then a few
// bone-reading windows derived from the image's own stored range, because projection
// radiographs have no fixed unit scale like CT's Hounsfield units.
export interface WindowPreset {
  id: string;
  label: string;
  windowCenter: number;
  windowWidth: number;
}

export interface PresetSource {
  /** (0028,1050)/(0028,1051) as stored, possibly several pairs. */
  windowCenter: number[];
  windowWidth: number[];
  /** Range of the (modality-rescaled) pixel values. */
  minPixelValue: number;
  maxPixelValue: number;
  /** MONOCHROME1: low values are bright, so bone sits at the low end of the range. */
  monochrome1: boolean;
}

export function windowPresets(src: PresetSource): WindowPreset[] {
  const presets: WindowPreset[] = [];
  const pairs = Math.min(src.windowCenter.length, src.windowWidth.length);
  for (let i = 0; i < pairs; i++) {
    const wc = src.windowCenter[i]!;
    const ww = src.windowWidth[i]!;
    if (!Number.isFinite(wc) || !Number.isFinite(ww) || ww < 1) continue;
    if (presets.some((p) => p.windowCenter === wc && p.windowWidth === ww)) continue;
    presets.push({ id: `dicom-${i}`, label: pairs > 1 ? `File window ${i + 1}` : 'File window', windowCenter: wc, windowWidth: ww });
  }
  const lo = src.minPixelValue;
  const range = Math.max(1, src.maxPixelValue - src.minPixelValue);
  // Position within the range counted from the "dark" end of the display.
  const at = (fraction: number) => (src.monochrome1 ? lo + (1 - fraction) * range : lo + fraction * range);
  presets.push({ id: 'full', label: 'Full range', windowCenter: lo + range / 2, windowWidth: range });
  presets.push({ id: 'bone', label: 'Bone', windowCenter: at(0.62), windowWidth: range * 0.5 });
  presets.push({ id: 'cortex', label: 'Cortex detail', windowCenter: at(0.72), windowWidth: range * 0.28 });
  presets.push({ id: 'soft', label: 'Soft tissue', windowCenter: at(0.4), windowWidth: range * 0.45 });
  return presets;
}
