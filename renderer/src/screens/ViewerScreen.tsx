// The viewer: toolbar (tools, presets, invert, fit, reset), the image, and the facts a surgeon
// checks before measuring: who, when, matrix size and how the image is calibrated.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ImageDetail } from '../../../shared/ipc/contract';
import { ApiError, type OsteoplanApi } from '../api';
import { formatDicomDate, formatPersonName, formatSex } from '../format';
import { decideCalibration } from '../../../shared/calibration/calibration';
import type { ViewerTool } from '../viewer/DicomViewport';
import { CALIBRATION_LABEL, ImageWorkspace, isTypingTarget, useImageView } from '../viewer/ImageWorkspace';
import { windowPresets, type WindowPreset } from '../viewer/presets';

interface Props {
  api: OsteoplanApi;
  imageId: number;
  onBack(): void;
  /** Opens the measuring screen on this image. */
  onMeasure?(): void;
}

export function ViewerScreen({ api, imageId, onBack, onMeasure }: Props) {
  const [detail, setDetail] = useState<ImageDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tool, setTool] = useState<ViewerTool>('pan');
  const [frame, setFrame] = useState(0);
  const iv = useImageView();
  const { controllerRef, snap: view, image } = iv;

  useEffect(() => {
    let stale = false;
    setDetail(null);
    setError(null);
    setFrame(0);
    api
      .invoke('library:getImage', { imageId })
      .then((d) => !stale && setDetail(d))
      .catch((err) => !stale && setError(err instanceof ApiError ? err.message : String(err)));
    return () => {
      stale = true;
    };
  }, [api, imageId]);

  const header = detail?.header;
  const presets: WindowPreset[] = useMemo(() => {
    if (!header || !image) return [];
    return windowPresets({
      windowCenter: header.windowCenter,
      windowWidth: header.windowWidth,
      minPixelValue: image.minPixelValue,
      maxPixelValue: image.maxPixelValue,
      monochrome1: header.photometricInterpretation === 'MONOCHROME1',
    });
  }, [header, image]);
  // clinical-spec §4, from the header alone until the user calibrates with a marker.
  const calibration = useMemo(() => (header ? decideCalibration(header) : null), [header]);

  const frameCount = Math.max(1, detail?.image.numberOfFrames ?? 1);
  const stepFrame = useCallback((delta: number) => setFrame((f) => Math.max(0, Math.min(frameCount - 1, f + delta))), [frameCount]);

  const applyPreset = useCallback((p: WindowPreset | undefined) => p && controllerRef.current?.setVoi(p.windowCenter, p.windowWidth), [controllerRef]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTypingTarget(e.target)) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const c = controllerRef.current;
      switch (e.key) {
        case 'Escape':
          onBack();
          return;
        case 'm':
        case 'M':
          if (!onMeasure) return;
          onMeasure();
          break;
        case 'f':
        case 'F':
          c?.fit();
          break;
        case 'r':
        case 'R':
          c?.reset();
          break;
        case 'i':
        case 'I':
          c?.toggleInvert();
          break;
        case 'w':
        case 'W':
          setTool('wl');
          break;
        case 'p':
        case 'P':
          setTool('pan');
          break;
        case '+':
        case '=':
          c?.zoomBy(1.25);
          break;
        case '-':
        case '_':
          c?.zoomBy(0.8);
          break;
        case '0':
          c?.actualSize();
          break;
        case 'ArrowLeft':
          c?.panBy({ x: 40, y: 0 });
          break;
        case 'ArrowRight':
          c?.panBy({ x: -40, y: 0 });
          break;
        case 'ArrowUp':
          c?.panBy({ x: 0, y: 40 });
          break;
        case 'ArrowDown':
          c?.panBy({ x: 0, y: -40 });
          break;
        case 'PageDown':
        case ']':
          stepFrame(1);
          break;
        case 'PageUp':
        case '[':
          stepFrame(-1);
          break;
        case 'Home':
          setFrame(0);
          break;
        case 'End':
          setFrame(frameCount - 1);
          break;
        default:
          if (/^[1-9]$/.test(e.key)) applyPreset(presets[Number(e.key) - 1]);
          else return;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onBack, presets, applyPreset, stepFrame, frameCount, controllerRef]);

  const activePreset = view ? presets.find((p) => Math.abs(p.windowCenter - view.windowCenter) < 0.5 && Math.abs(p.windowWidth - view.windowWidth) < 0.5) : undefined;

  return (
    <ImageWorkspace
      iv={iv}
      film={detail && !error ? { api, imageId, modality: detail.image.modality ?? detail.header.modality, transferSyntaxUid: detail.image.transferSyntaxUid, frame, tool } : null}
      placeholder={
        error ? (
          <div className="viewport-message" role="alert">
            <div className="error-text">{error}</div>
            <button className="btn" onClick={onBack}>Back to the library</button>
          </div>
        ) : (
          <div className="viewport-message"><div className="spinner" /></div>
        )
      }
      className="viewer"
      toolbarLabel="Viewer tools"
      toolbar={
        <>
          <button className="btn ghost" onClick={onBack} title="Back to the library (Esc)">← Library</button>
          <span className="sep" />
          <button className={`btn${tool === 'pan' ? ' active' : ''}`} onClick={() => setTool('pan')} title="Pan: drag (P). Middle button or Space+drag always pans.">
            Pan
          </button>
          <button className={`btn${tool === 'wl' ? ' active' : ''}`} onClick={() => setTool('wl')} title="Window/level: drag (W). Right button always adjusts.">
            Window/level
          </button>
          <span className="sep" />
          <select
            aria-label="Window preset"
            value={activePreset?.id ?? ''}
            onChange={(e) => applyPreset(presets.find((p) => p.id === e.target.value))}
            disabled={presets.length === 0}
          >
            <option value="" disabled>
              {view ? `W ${Math.round(view.windowWidth)} / L ${Math.round(view.windowCenter)}` : 'Window'}
            </option>
            {presets.map((p, i) => (
              <option key={p.id} value={p.id}>
                {i < 9 ? `${i + 1}  ` : ''}
                {p.label} ({Math.round(p.windowWidth)}/{Math.round(p.windowCenter)})
              </option>
            ))}
          </select>
          <button className={`btn${view?.invert ? ' active' : ''}`} onClick={() => controllerRef.current?.toggleInvert()} title="Invert (I)">
            Invert
          </button>
          <span className="sep" />
          <button className="btn" onClick={() => controllerRef.current?.fit()} title="Fit to window (F, double-click)">Fit</button>
          <button className="btn" onClick={() => controllerRef.current?.actualSize()} title="One image pixel per screen pixel (0)">1:1</button>
          <button className="btn" onClick={() => controllerRef.current?.reset()} title="Reset view and window (R)">Reset</button>
          {frameCount > 1 && (
            <FrameSelector frame={frame} frameCount={frameCount} onFrame={setFrame} onStep={stepFrame} />
          )}
          {onMeasure && (
            <>
              <span className="sep" />
              <button className="btn primary" onClick={onMeasure} title="Measure the leg alignment on this film (M)" data-testid="open-measure">
                Measure
              </button>
            </>
          )}
        </>
      }
      status={(v) => (
        <>
          W {Math.round(v.windowWidth)} L {Math.round(v.windowCenter)}
          {v.voiLut ? ' (VOI LUT)' : ''}
          {v.invert ? ' · inverted' : ''}
          {frameCount > 1 ? ` · frame ${v.frame + 1}/${frameCount}` : ''}
        </>
      )}
      asideClassName="info"
      asideLabel="Image information"
      aside={
        <>
        {detail && header && (
          <>
            <h3>Patient</h3>
            <dl>
              <dt>Name</dt>
              <dd data-testid="info-patient-name">{formatPersonName(detail.patient.name)}</dd>
              <dt>ID</dt>
              <dd data-testid="info-patient-id">{detail.patient.patientId || '—'}</dd>
              {detail.patient.birthDate && (
                <>
                  <dt>Born</dt>
                  <dd>{formatDicomDate(detail.patient.birthDate)}</dd>
                </>
              )}
              {detail.patient.sex && (
                <>
                  <dt>Sex</dt>
                  <dd>{formatSex(detail.patient.sex)}</dd>
                </>
              )}
            </dl>
            <h3>Study</h3>
            <dl>
              <dt>Date</dt>
              <dd data-testid="info-study-date">{formatDicomDate(detail.study.studyDate)}</dd>
              {detail.study.description && (
                <>
                  <dt>Description</dt>
                  <dd>{detail.study.description}</dd>
                </>
              )}
              <dt>Modality</dt>
              <dd>{[header.modality, header.bodyPartExamined, header.laterality, header.viewPosition].filter(Boolean).join(' · ') || '—'}</dd>
            </dl>
            <h3>Image</h3>
            <dl>
              <dt>Matrix</dt>
              <dd data-testid="info-matrix">
                {header.columns} × {header.rows}
              </dd>
              <dt>Bits</dt>
              <dd>
                {header.bitsStored} stored / {header.bitsAllocated} allocated{header.pixelRepresentation === 1 ? ', signed' : ''}
              </dd>
              <dt>Photometric</dt>
              <dd>{header.photometricInterpretation}</dd>
              {header.numberOfFrames > 1 && (
                <>
                  <dt>Frames</dt>
                  <dd>{header.numberOfFrames}</dd>
                </>
              )}
            </dl>
            {calibration && (
              <>
                <h3>Calibration</h3>
                <div>
                  <span className={`cal-badge cal-${calibration.type}`} data-testid="info-calibration" data-calibration={calibration.type}>
                    {CALIBRATION_LABEL[calibration.type]}
                  </span>
                </div>
                <dl>
                  {calibration.rowSpacingMm !== null && calibration.columnSpacingMm !== null && (
                    <>
                      <dt>Spacing</dt>
                      <dd title="row (Δy) × column (Δx), mm per pixel">
                        {calibration.rowSpacingMm.toPrecision(4)} × {calibration.columnSpacingMm.toPrecision(4)} mm
                      </dd>
                    </>
                  )}
                  <dt>Source</dt>
                  <dd>{calibration.source}</dd>
                </dl>
                {calibration.note && <div className="cal-note">{calibration.note}</div>}
              </>
            )}
          </>
        )}
        <h3>Shortcuts</h3>
        <div className="shortcuts">
          <span className="kbd">Wheel</span><span>zoom at cursor</span>
          <span className="kbd">Drag</span><span>active tool</span>
          <span className="kbd">Middle / Space</span><span>pan</span>
          <span className="kbd">Right drag</span><span>window/level</span>
          <span className="kbd">F</span><span>fit</span>
          <span className="kbd">0</span><span>1:1</span>
          <span className="kbd">1–9</span><span>presets</span>
          <span className="kbd">I</span><span>invert</span>
          {frameCount > 1 && (
            <>
              <span className="kbd">[ ] PgUp PgDn</span><span>previous / next frame</span>
            </>
          )}
          <span className="kbd">R</span><span>reset</span>
          <span className="kbd">Esc</span><span>library</span>
        </div>
        </>
      }
    />
  );
}

/** Multi-frame images: previous/next buttons, a slider and the position; the keys are on the screen. */
function FrameSelector({ frame, frameCount, onFrame, onStep }: { frame: number; frameCount: number; onFrame(f: number): void; onStep(delta: number): void }) {
  return (
    <div className="frame-selector" role="group" aria-label="Frame">
      <span className="sep" />
      <button className="btn" onClick={() => onStep(-1)} disabled={frame === 0} title="Previous frame ([ or Page Up)" aria-label="Previous frame">
        ‹
      </button>
      <input
        type="range"
        min={1}
        max={frameCount}
        value={frame + 1}
        onChange={(e) => onFrame(Number(e.target.value) - 1)}
        aria-label="Frame number"
        data-testid="frame-slider"
      />
      <button className="btn" onClick={() => onStep(1)} disabled={frame === frameCount - 1} title="Next frame (] or Page Down)" aria-label="Next frame">
        ›
      </button>
      <span className="frame-position" data-testid="frame-position">
        {frame + 1} / {frameCount}
      </span>
    </div>
  );
}
