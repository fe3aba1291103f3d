// The trend chart (clinical-spec §6): each measure against weeks after surgery, one small chart
// per measure (degrees and percent do not share an axis), with the target band and the plan
// marked, values on hover and export of all charts as one PNG. Chart.js draws on canvas without
// eval or injected styles, so it runs under the app's strict CSP.
import {
  Chart,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type Plugin,
  type TooltipModel,
} from 'chart.js';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { LossThresholds } from '../../../../shared/follow-up/follow-up';
import type { TimelineLeg } from '../../../../shared/follow-up/timeline';
import { MEASURE_DEFINITIONS, type MeasureId } from '../../../../shared/measurements/definitions';
import { ROLE_LABEL } from './labels';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip);

/** Measures a surgeon can add to the chart; HKA, WBL and MPTA are shown by default. */
const CHARTABLE: MeasureId[] = ['hka', 'wbl', 'mpta', 'mldfa', 'jlca', 'mad', 'jlo', 'ldta', 'ahka', 'legLength'];
const DEFAULT_MEASURES: MeasureId[] = ['hka', 'wbl', 'mpta'];
const THRESHOLD_KEY: Partial<Record<MeasureId, keyof LossThresholds>> = { hka: 'hkaDeg', wbl: 'wblPercent', mpta: 'mptaDeg' };

const unitText = (id: MeasureId) => ({ deg: '°', mm: ' mm', '%': ' %', type: '' })[MEASURE_DEFINITIONS[id].unit];

interface Band {
  low: number;
  high: number;
  label: string;
}

/**
 * clinical-spec §6: the band the measure should stay in. Around the planned value by the
 * loss-of-correction threshold when the measure has one (the correction "holds" inside it), else
 * the measure's normal range (clinical-spec §3).
 */
export function targetBand(id: MeasureId, planned: number | null, thresholds: LossThresholds): Band | null {
  const key = THRESHOLD_KEY[id];
  const limit = key ? thresholds[key] : null;
  if (planned !== null && limit !== null) return { low: planned - limit, high: planned + limit, label: `plan ± ${limit}${unitText(id)}` };
  const normal = MEASURE_DEFINITIONS[id].normal;
  return normal ? { ...normal, label: `normal ${normal.low}–${normal.high}${unitText(id)}` } : null;
}

interface BandOptions {
  band: Band | null;
  planned: number | null;
}

/** Draws the band and the planned value under the data (a plain Chart.js plugin, no extra package). */
const bandPlugin: Plugin<'line', BandOptions> = {
  id: 'osteoplanBand',
  beforeDatasetsDraw(chart, _args, options) {
    const { ctx, chartArea, scales } = chart;
    const y = scales.y!;
    ctx.save();
    if (options.band) {
      const top = y.getPixelForValue(options.band.high);
      const bottom = y.getPixelForValue(options.band.low);
      ctx.fillStyle = 'rgba(111, 179, 138, 0.16)';
      ctx.fillRect(chartArea.left, Math.max(chartArea.top, top), chartArea.width, Math.min(chartArea.bottom, bottom) - Math.max(chartArea.top, top));
    }
    if (options.planned !== null) {
      const py = y.getPixelForValue(options.planned);
      ctx.strokeStyle = '#e69f00';
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(chartArea.left, py);
      ctx.lineTo(chartArea.right, py);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = '#e69f00';
      ctx.textAlign = 'left';
      ctx.font = '11px system-ui, sans-serif';
      ctx.fillText('plan', chartArea.left + 4, py - 4);
    }
    ctx.restore();
  },
};

// The tooltip lives in .trend-charts; Chart.js's caret is in canvas CSS pixels.
const rootRect = (c: HTMLCanvasElement) => (c.closest('.trend-charts') ?? c).getBoundingClientRect();
const canvasLeft = (c: HTMLCanvasElement) => c.getBoundingClientRect().left - rootRect(c).left;
const canvasTop = (c: HTMLCanvasElement) => c.getBoundingClientRect().top - rootRect(c).top;

export interface HoverInfo {
  measure: MeasureId;
  text: string;
  x: number;
  y: number;
}

interface MeasureChartProps {
  id: MeasureId;
  leg: TimelineLeg;
  thresholds: LossThresholds;
  onHover(h: HoverInfo | null): void;
}

function MeasureChart({ id, leg, thresholds, onHover }: MeasureChartProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const onHoverRef = useRef(onHover);
  onHoverRef.current = onHover;
  const points = useMemo(
    () => leg.points.filter((p) => p.weeksAfterSurgery !== null && p.values[id] !== null).map((p) => ({ x: p.weeksAfterSurgery!, y: p.values[id]!, point: p })),
    [leg, id],
  );
  const planned = leg.plan?.predictedValues?.[id] ?? null;
  const band = targetBand(id, planned, thresholds);
  const def = MEASURE_DEFINITIONS[id];

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const ys = [...points.map((p) => p.y), ...(planned !== null ? [planned] : []), ...(band ? [band.low, band.high] : [])];
    const pad = Math.max(1, (Math.max(...ys) - Math.min(...ys)) * 0.12);
    const config: ChartConfiguration<'line', { x: number; y: number }[]> = {
      type: 'line',
      data: {
        datasets: [
          {
            label: def.label,
            data: points.map((p) => ({ x: p.x, y: p.y })),
            borderColor: '#5b9bd5',
            backgroundColor: '#5b9bd5',
            pointRadius: 4,
            pointHoverRadius: 6,
            borderWidth: 2,
          },
        ],
      },
      options: {
        // Export and tests read the canvas as drawn: no animation, fixed pixel ratio.
        animation: false,
        devicePixelRatio: 1,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', intersect: false, axis: 'x' },
        scales: {
          x: {
            type: 'linear',
            title: { display: true, text: 'weeks after surgery', color: '#8c949e' },
            ticks: { color: '#8c949e' },
            grid: { color: '#2a2f36' },
            suggestedMin: Math.min(-1, ...points.map((p) => p.x)),
          },
          y: {
            type: 'linear',
            ticks: { color: '#8c949e' },
            grid: { color: '#2a2f36' },
            suggestedMin: ys.length ? Math.min(...ys) - pad : undefined,
            suggestedMax: ys.length ? Math.max(...ys) + pad : undefined,
          },
        },
        plugins: {
          osteoplanBand: { band, planned },
          tooltip: {
            enabled: false,
            external: ({ chart, tooltip }: { chart: Chart; tooltip: TooltipModel<'line'> }) => {
              const active = tooltip.opacity === 0 ? null : tooltip.dataPoints?.[0];
              if (!active) return onHoverRef.current(null);
              const p = points[active.dataIndex]!;
              const role = p.point.role ? ROLE_LABEL[p.point.role] : 'no role';
              onHoverRef.current({
                measure: id,
                text: `${def.label} ${p.y.toFixed(1)}${unitText(id)} · ${p.point.date} · ${p.x.toFixed(1)} wk · ${role}`,
                x: canvasLeft(chart.canvas) + tooltip.caretX,
                y: canvasTop(chart.canvas) + tooltip.caretY,
              });
            },
          },
        },
      } as ChartConfiguration<'line'>['options'],
      plugins: [bandPlugin as Plugin<'line'>],
    };
    const chart = new Chart(canvas, config);
    (canvas as unknown as { osteoplanChart?: Chart }).osteoplanChart = chart;
    return () => {
      chart.destroy();
      delete (canvas as unknown as { osteoplanChart?: Chart }).osteoplanChart;
    };
  }, [points, planned, band?.low, band?.high, band?.label, def.label, id]);

  return (
    <figure className="trend-chart" data-chart-measure={id}>
      <figcaption>
        {def.label}
        {def.unit !== 'type' && <span className="muted"> ({unitText(id).trim()})</span>}
        {id === 'hka' && <span className="muted"> deviation from 180°, − varus</span>}
        {band && <span className="band-note"> · band: {band.label}</span>}
      </figcaption>
      <div className="trend-canvas">
        <canvas ref={canvasRef} data-measure-canvas={id} />
      </div>
      {points.length === 0 && <div className="trend-empty">No measured film with a date after the operation.</div>}
    </figure>
  );
}

/** One PNG of every chart on screen, titled with the patient and leg. */
function exportPng(container: HTMLElement, title: string): string {
  const canvases = Array.from(container.querySelectorAll<HTMLCanvasElement>('canvas[data-measure-canvas]'));
  const captions = Array.from(container.querySelectorAll<HTMLElement>('.trend-chart figcaption')).map((c) => c.textContent ?? '');
  const width = Math.max(1, ...canvases.map((c) => c.width));
  const headerH = 36;
  const captionH = 22;
  const height = headerH + canvases.reduce((h, c) => h + captionH + c.height, 0) + 8;
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#14161a';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#d9dde2';
  ctx.font = '600 15px system-ui, sans-serif';
  ctx.fillText(title, 10, 23);
  let y = headerH;
  canvases.forEach((c, k) => {
    ctx.fillStyle = '#d9dde2';
    ctx.font = '13px system-ui, sans-serif';
    ctx.fillText(captions[k] ?? '', 10, y + 15);
    y += captionH;
    ctx.drawImage(c, 0, y);
    y += c.height;
  });
  return out.toDataURL('image/png');
}

interface Props {
  leg: TimelineLeg;
  thresholds: LossThresholds;
  title: string;
}

export function TrendChart({ leg, thresholds, title }: Props) {
  const [measures, setMeasures] = useState<MeasureId[]>(DEFAULT_MEASURES);
  const [hover, setHover] = useState<HoverInfo | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const toggle = (id: MeasureId) => setMeasures((m) => (m.includes(id) ? m.filter((x) => x !== id) : CHARTABLE.filter((x) => x === id || m.includes(x))));

  const download = () => {
    if (!rootRef.current) return;
    try {
      const url = exportPng(rootRef.current, title);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${title.replace(/[^\w.-]+/g, '_')}.png`;
      a.click();
      setExportError(null);
    } catch (err) {
      setExportError(`The chart could not be exported: ${(err as Error)?.message ?? String(err)}`);
    }
  };

  return (
    <section className="trend" aria-label="Trend chart" data-testid="trend">
      <div className="trend-head">
        <h3>Trend</h3>
        <span className="spacer" />
        <button className="btn" onClick={download} data-testid="export-png">
          Export PNG
        </button>
      </div>
      <div className="trend-measures" role="group" aria-label="Measures on the chart">
        {CHARTABLE.map((id) => (
          <label key={id} className={measures.includes(id) ? 'on' : ''}>
            <input type="checkbox" checked={measures.includes(id)} onChange={() => toggle(id)} />
            {MEASURE_DEFINITIONS[id].label}
          </label>
        ))}
      </div>
      {exportError && <p className="error-text" role="alert">{exportError}</p>}
      <div className="trend-charts" ref={rootRef}>
        {measures.map((id) => (
          <MeasureChart key={id} id={id} leg={leg} thresholds={thresholds} onHover={(h) => setHover(h)} />
        ))}
        {hover && (
          <div
            className={`trend-tooltip${hover.x > (rootRef.current?.clientWidth ?? 0) * 0.55 ? ' from-right' : ''}`}
            role="tooltip"
            data-testid="trend-tooltip"
            style={{ left: hover.x, top: hover.y }}
          >
            {hover.text}
          </div>
        )}
      </div>
      <p className="trend-legend">
        <span className="key-plan" /> planned value (chosen plan) <span className="key-band" /> target band <span className="key-point" /> measured film
      </p>
    </section>
  );
}
