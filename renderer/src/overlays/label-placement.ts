// Places overlay labels so they stay readable and never cover a landmark handle: each label tries
// positions around its anchor, nearest first, and takes the first that overlaps no handle, no
// earlier label and stays inside the view. Pure: canvas pixels in, positions out.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LabelRequest {
  key: string;
  anchor: { x: number; y: number };
  text: string;
  /** Preferred side to put the label on (e.g. outward along an angle's bisector). */
  direction?: { x: number; y: number };
}

export interface PlacedLabel extends LabelRequest {
  rect: Rect;
  /** true when the label had to move away from its anchor far enough to need a leader line. */
  leader: boolean;
  /** false when every candidate overlapped something (the least bad one is used). */
  clear: boolean;
}

export const LABEL_FONT_PX = 12;
export const LABEL_HEIGHT = 18;
const CHAR_WIDTH = 6.9;
const PAD_X = 5;
const RINGS = [10, 28, 50, 78, 110];
const DIRECTIONS: readonly [number, number][] = [
  [1, -1],
  [1, 1],
  [-1, -1],
  [-1, 1],
  [1, 0],
  [-1, 0],
  [0, -1],
  [0, 1],
];

export function labelWidth(text: string): number {
  return Math.ceil(text.length * CHAR_WIDTH + 2 * PAD_X);
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function circleOverlap(r: Rect, c: { x: number; y: number; r: number }): number {
  const nx = Math.max(r.x, Math.min(c.x, r.x + r.width));
  const ny = Math.max(r.y, Math.min(c.y, r.y + r.height));
  const d2 = (nx - c.x) ** 2 + (ny - c.y) ** 2;
  return d2 < c.r * c.r ? c.r * c.r - d2 + 1 : 0;
}

/**
 * Places labels in order (earlier labels win the best spots). `obstacles` are handle circles in
 * canvas pixels (radius includes a margin); `bounds` is the visible canvas; `taken` are labels
 * placed earlier by another builder (the plan screen adds its labels to the measuring ones).
 */
export function placeLabels(requests: readonly LabelRequest[], obstacles: readonly { x: number; y: number; r: number }[], bounds: Rect, taken: readonly Rect[] = []): PlacedLabel[] {
  const placed: PlacedLabel[] = [];
  for (const req of requests) {
    const width = labelWidth(req.text);
    const height = LABEL_HEIGHT;
    let best: { rect: Rect; cost: number; ring: number } | null = null;
    const pref = req.direction;
    const dirs = pref ? [...DIRECTIONS].sort((a, b) => b[0] * pref.x + b[1] * pref.y - (a[0] * pref.x + a[1] * pref.y)) : DIRECTIONS;
    outer: for (let ri = 0; ri < RINGS.length; ri++) {
      const d = RINGS[ri]!;
      for (const [dx, dy] of dirs) {
        // Anchor the label's nearest corner/edge at distance d in that direction.
        const x = dx > 0 ? req.anchor.x + d : dx < 0 ? req.anchor.x - d - width : req.anchor.x - width / 2;
        const y = dy > 0 ? req.anchor.y + d : dy < 0 ? req.anchor.y - d - height : req.anchor.y - height / 2;
        const rect = { x, y, width, height };
        let cost = 0;
        for (const o of obstacles) cost += circleOverlap(rect, o);
        for (const p of placed) cost += overlap(rect, p.rect);
        for (const t of taken) cost += overlap(rect, t);
        const outside =
          Math.max(0, bounds.x - rect.x) + Math.max(0, rect.x + rect.width - bounds.x - bounds.width) + Math.max(0, bounds.y - rect.y) + Math.max(0, rect.y + rect.height - bounds.y - bounds.height);
        cost += outside * 50;
        if (!best || cost < best.cost) best = { rect, cost, ring: ri };
        if (cost === 0) break outer;
      }
    }
    const b = best!;
    placed.push({ ...req, rect: b.rect, leader: b.ring >= 2, clear: b.cost === 0 });
  }
  return placed;
}
