// Draws an OverlayScene as SVG in canvas pixels, over the cornerstone canvas. Every stroke has a
// dark halo underneath and every label a dark plate, so both read on bright bone.
import { memo } from 'react';
import type { OverlayScene, Primitive } from './leg-overlay';
import { LABEL_FONT_PX } from './label-placement';
import { OVERLAY_COLOURS as C } from './palette';

const pts = (p: { x: number; y: number }[]) => p.map((q) => `${q.x.toFixed(2)},${q.y.toFixed(2)}`).join(' ');

function Prim({ p }: { p: Primitive }) {
  if (p.kind === 'line') {
    return (
      <g data-overlay={p.key}>
        <line x1={p.a.x} y1={p.a.y} x2={p.b.x} y2={p.b.y} stroke={C.halo} strokeWidth={p.width + 2.5} strokeLinecap="round" />
        <line x1={p.a.x} y1={p.a.y} x2={p.b.x} y2={p.b.y} stroke={p.colour} strokeWidth={p.width} strokeDasharray={p.dash} strokeLinecap="round" />
      </g>
    );
  }
  if (p.kind === 'polyline') {
    const Tag = p.closed ? 'polygon' : 'polyline';
    return (
      <g data-overlay={p.key}>
        <Tag points={pts(p.points)} fill={p.fill ?? 'none'} stroke={C.halo} strokeWidth={p.width + 2.5} strokeLinejoin="round" />
        <Tag points={pts(p.points)} fill="none" stroke={p.colour} strokeWidth={p.width} strokeDasharray={p.dash} strokeLinejoin="round" />
      </g>
    );
  }
  const { x, y } = p.at;
  if (p.shape === 'cross') {
    const d = `M${x - 6},${y} H${x + 6} M${x},${y - 6} V${y + 6}`;
    return (
      <g data-overlay={p.key}>
        <path d={d} stroke={C.halo} strokeWidth={4} />
        <path d={d} stroke={p.colour} strokeWidth={1.5} />
      </g>
    );
  }
  const d = `M${x},${y - 6} L${x + 6},${y} L${x},${y + 6} L${x - 6},${y} Z`;
  return <path data-overlay={p.key} d={d} fill={p.colour} stroke={C.halo} strokeWidth={1.5} />;
}

interface Props {
  scene: OverlayScene<unknown>;
  width: number;
  height: number;
  hovered: string | null;
}

export const OverlaySvg = memo(function OverlaySvg({ scene, width, height, hovered }: Props) {
  return (
    <svg className="overlay-svg" width={width} height={height} viewBox={`0 0 ${width} ${height}`} data-testid="overlay" aria-hidden="true">
      {scene.primitives.map((p) => (
        <Prim key={p.key} p={p} />
      ))}
      {scene.labels.map((l) => (
        <g key={`label-${l.key}`} className="overlay-label" data-label={l.key}>
          {l.leader && (
            <line
              x1={l.anchor.x}
              y1={l.anchor.y}
              x2={Math.max(l.rect.x, Math.min(l.anchor.x, l.rect.x + l.rect.width))}
              y2={Math.max(l.rect.y, Math.min(l.anchor.y, l.rect.y + l.rect.height))}
              stroke={l.colour}
              strokeWidth={1}
              strokeOpacity={0.7}
            />
          )}
          <rect x={l.rect.x} y={l.rect.y} width={l.rect.width} height={l.rect.height} rx={3} fill={C.labelBackground} stroke={l.colour} strokeOpacity={0.55} />
          <text x={l.rect.x + l.rect.width / 2} y={l.rect.y + l.rect.height / 2 + LABEL_FONT_PX * 0.36} fontSize={LABEL_FONT_PX} fill={C.labelText} textAnchor="middle">
            {l.text}
          </text>
        </g>
      ))}
      {scene.handles.map((h) => (
        <g key={h.key} data-handle={h.key} data-x={h.pixel.x} data-y={h.pixel.y}>
          <title>{h.title}</title>
          <circle cx={h.at.x} cy={h.at.y} r={h.radius + 2} fill="none" stroke={C.halo} strokeWidth={3} />
          <circle
            cx={h.at.x}
            cy={h.at.y}
            r={h.radius}
            fill={h.selected ? C.selected : 'rgba(0,0,0,0.35)'}
            stroke={h.selected || hovered === h.key ? C.selected : h.colour}
            strokeWidth={hovered === h.key ? 2.5 : 1.8}
          />
          <circle cx={h.at.x} cy={h.at.y} r={1} fill={h.selected ? '#000' : h.colour} />
        </g>
      ))}
    </svg>
  );
});
