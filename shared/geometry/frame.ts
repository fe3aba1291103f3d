// Pixel ↔ leg frame (clinical-spec §1). Stored landmarks are image pixel coordinates (x right,
// y down); every computation happens in the leg frame: millimetres, x = +lateral, y = +proximal,
// with x scaled by column spacing and y by row spacing separately.
import { EngineError } from './errors';
import type { Vec2 } from './vec';

export type Side = 'L' | 'R';

export interface LegFrame {
  side: Side;
  /** true when the image is mirrored relative to a standard AP view (patient right on viewer's left). */
  imageFlipped: boolean;
  /** mm per pixel along y (PixelSpacing first value). */
  rowSpacingMm: number;
  /** mm per pixel along x (PixelSpacing second value). */
  columnSpacingMm: number;
  /** +1 when lateral is +x in the image, −1 when it is −x. */
  lateralSign: 1 | -1;
}

/** clinical-spec §4: spacing must be finite and positive; anything else is refused with a clear message. */
export function assertValidSpacing(rowSpacingMm: number, columnSpacingMm: number, source = 'spacing'): void {
  for (const [name, v] of [
    ['row', rowSpacingMm],
    ['column', columnSpacingMm],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new EngineError(
        'INVALID_SPACING',
        `The ${name} spacing from ${source} is ${String(v)} mm/px: it must be a finite number greater than zero.`,
      );
    }
  }
}

/**
 * clinical-spec §1: on a standard AP film the patient's right is on the viewer's left, so the
 * lateral side of a right leg is −x and of a left leg +x; a mirrored image swaps it.
 */
export function lateralSignFor(side: Side, imageFlipped: boolean): 1 | -1 {
  const standard: 1 | -1 = side === 'R' ? -1 : 1;
  return imageFlipped ? (-standard as 1 | -1) : standard;
}

/** clinical-spec §1: builds the leg frame; rejects invalid spacing (§4). */
export function createLegFrame(side: Side, imageFlipped: boolean, rowSpacingMm: number, columnSpacingMm: number): LegFrame {
  if (side !== 'L' && side !== 'R') {
    throw new EngineError('INVALID_INPUT', `Side must be 'L' or 'R', not ${JSON.stringify(side)}.`);
  }
  assertValidSpacing(rowSpacingMm, columnSpacingMm);
  return { side, imageFlipped, rowSpacingMm, columnSpacingMm, lateralSign: lateralSignFor(side, imageFlipped) };
}

/** clinical-spec §1: image pixel → leg frame (mm, x lateral, y proximal). */
export function pixelToLeg(frame: LegFrame, p: Vec2): Vec2 {
  return { x: frame.lateralSign * p.x * frame.columnSpacingMm, y: -p.y * frame.rowSpacingMm };
}

/** clinical-spec §1: leg frame → image pixel; the exact inverse of pixelToLeg. */
export function legToPixel(frame: LegFrame, p: Vec2): Vec2 {
  return { x: (frame.lateralSign * p.x) / frame.columnSpacingMm, y: -p.y / frame.rowSpacingMm };
}

export interface FlipSuggestion {
  imageFlipped: boolean;
  /** false when Patient Orientation was absent or not a frontal view: the value is an assumption. */
  fromHeader: boolean;
  note: string;
}

/**
 * clinical-spec §1: suggests imageFlipped from Patient Orientation (0020,0020). Its first value is
 * the patient direction of increasing x (rows), the second of increasing y (columns); `L\F` is a
 * standard AP view. The user can always override the suggestion.
 */
export function suggestImageFlipped(patientOrientation: readonly string[] | null | undefined): FlipSuggestion {
  const rowDir = (patientOrientation?.[0] ?? '').trim().toUpperCase();
  const colDir = (patientOrientation?.[1] ?? '').trim().toUpperCase();
  const upsideDown = colDir.startsWith('H')
    ? ' Columns run toward the head: the image is upside down; rotate it before measuring.'
    : '';
  if (rowDir.startsWith('L')) {
    return { imageFlipped: false, fromHeader: true, note: `Patient Orientation ${patientOrientation!.join('\\')}: standard AP view.${upsideDown}` };
  }
  if (rowDir.startsWith('R')) {
    return {
      imageFlipped: true,
      fromHeader: true,
      note: `Patient Orientation ${patientOrientation!.join('\\')}: the patient's right is on the viewer's right (PA view or mirrored image).${upsideDown}`,
    };
  }
  if (rowDir) {
    return {
      imageFlipped: false,
      fromHeader: false,
      note: `Patient Orientation ${patientOrientation!.join('\\')} is not a frontal view: assuming a standard AP view; check the side markers.`,
    };
  }
  return {
    imageFlipped: false,
    fromHeader: false,
    note: "Patient Orientation is absent: assuming a standard AP view (patient's right on the viewer's left); check the side marker.",
  };
}
