// Window shell: hash routes (#/ library, #/patient/<id>, #/image/<id>, #/image/<id>/measure,
// #/image/<id>/plan[/<side>[/<planId>]], #/image/<id>/plan/<side>/<planId>/report (theatre report),
// #/patient/<id>/timeline, #/patient/<id>/compare/<id>,<id>..., so a reload keeps the place), the import entry points (buttons, hidden file inputs, drop anywhere) and the import panel.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { getApi } from './api';
import { ImportPanel } from './import/ImportPanel';
import { useMediaImport } from './import/MediaImport';
import { filesFromDrop, useImport } from './import/use-import';
import { ImportButtons, LibraryScreen } from './screens/LibraryScreen';
import { ViewerScreen } from './screens/ViewerScreen';
import { MeasureScreen } from './screens/measure/MeasureScreen';
import { PlanScreen } from './screens/plan/PlanScreen';
import { PlanReport } from './screens/report/PlanReport';
import { CompareScreen } from './screens/follow-up/CompareScreen';
import { TimelineScreen } from './screens/follow-up/TimelineScreen';

type Route =
  | { screen: 'library'; patientId: number | null }
  | { screen: 'viewer'; imageId: number }
  | { screen: 'measure'; imageId: number }
  | { screen: 'plan'; imageId: number; side: 'R' | 'L' | null; planId: number | null }
  | { screen: 'report'; imageId: number; side: 'R' | 'L'; planId: number }
  | { screen: 'timeline'; patientId: number }
  | { screen: 'compare'; patientId: number; imageIds: number[] };

function parseRoute(hash: string): Route {
  const timeline = /^#\/patient\/(\d+)\/timeline$/.exec(hash);
  if (timeline) return { screen: 'timeline', patientId: Number(timeline[1]) };
  const compare = /^#\/patient\/(\d+)\/compare\/(\d+(?:,\d+)*)$/.exec(hash);
  if (compare) return { screen: 'compare', patientId: Number(compare[1]), imageIds: compare[2]!.split(',').map(Number) };
  const report = /^#\/image\/(\d+)\/plan\/([RL])\/(\d+)\/report$/.exec(hash);
  if (report) return { screen: 'report', imageId: Number(report[1]), side: report[2] as 'R' | 'L', planId: Number(report[3]) };
  const plan = /^#\/image\/(\d+)\/plan(?:\/([RL]))?(?:\/(\d+))?$/.exec(hash);
  if (plan) return { screen: 'plan', imageId: Number(plan[1]), side: (plan[2] as 'R' | 'L' | undefined) ?? null, planId: plan[3] ? Number(plan[3]) : null };
  const measure = /^#\/image\/(\d+)\/measure$/.exec(hash);
  if (measure) return { screen: 'measure', imageId: Number(measure[1]) };
  const image = /^#\/image\/(\d+)$/.exec(hash);
  if (image) return { screen: 'viewer', imageId: Number(image[1]) };
  const patient = /^#\/patient\/(\d+)$/.exec(hash);
  return { screen: 'library', patientId: patient ? Number(patient[1]) : null };
}

export function App() {
  const api = useMemo(() => getApi(), []);
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  const [libraryVersion, setLibraryVersion] = useState(0);
  const [dragDepth, setDragDepth] = useState(0);
  const [dropError, setDropError] = useState<string | null>(null);
  const lastPatient = useRef<number | null>(route.screen === 'library' ? route.patientId : null);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const refreshLibrary = useCallback(() => setLibraryVersion((v) => v + 1), []);
  const importer = useImport(api, refreshLibrary);
  // A scanned film opens in the viewer at once: the user checks it and calibrates next.
  const media = useMediaImport(api, importer, (report) => {
    refreshLibrary();
    const imageId = report.imported[0]?.imageId ?? report.duplicates[0]?.imageId;
    if (imageId !== undefined) location.hash = `#/image/${imageId}`;
  });

  // A clean report has nothing left to read once the user moves on to an image; keep one with skipped files.
  const { state: importState, dismiss: dismissImport } = importer;
  useEffect(() => {
    if (route.screen !== 'library' && importState.phase === 'done' && importState.report.skipped.length === 0) dismissImport();
  }, [route.screen, importState, dismissImport]);

  const navigate = (hash: string) => {
    if (location.hash !== hash) location.hash = hash;
  };
  const selectPatient = (id: number | null) => {
    lastPatient.current = id;
    navigate(id === null ? '#/' : `#/patient/${id}`);
  };
  const openImage = (id: number) => navigate(`#/image/${id}`);
  const backToLibrary = useCallback(() => {
    location.hash = lastPatient.current !== null ? `#/patient/${lastPatient.current}` : '#/';
  }, []);

  const pick = (kind: 'files' | 'folder') => (kind === 'files' ? filesInput.current : folderInput.current)?.click();
  const onChosen = (e: React.ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(e.target.files ?? []);
    e.target.value = ''; // choosing the same file again must fire change again
    if (files.length) importer.importFiles(files);
  };

  const hasFiles = (e: React.DragEvent) => Array.from(e.dataTransfer.types).includes('Files');
  const onDragEnter = (e: React.DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    setDragDepth((d) => d + 1);
  };
  const onDragLeave = (e: React.DragEvent) => {
    if (!hasFiles(e)) return;
    setDragDepth((d) => Math.max(0, d - 1));
  };
  const onDragOver = (e: React.DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = importer.busy ? 'none' : 'copy';
  };
  const onDrop = (e: React.DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    setDragDepth(0);
    if (importer.busy) return;
    filesFromDrop(e.dataTransfer)
      .then((files) => {
        if (files.length === 0) setDropError('Nothing to import: the dropped items contain no files.');
        else {
          setDropError(null);
          importer.importFiles(files);
        }
      })
      .catch((err: unknown) => setDropError(`The dropped items could not be read: ${(err as Error)?.message ?? String(err)}`));
  };

  return (
    <div className="app" onDragEnter={onDragEnter} onDragLeave={onDragLeave} onDragOver={onDragOver} onDrop={onDrop}>
      <header className="topbar">
        <div className="brand">
          Osteo<span>plan</span>
        </div>
        <div className="spacer" />
        {route.screen === 'library' && <ImportButtons importer={importer} api={api} onPick={pick} media={media} />}
        {api.mode === 'browser' && <span className="mode">browser</span>}
      </header>
      {dropError && (
        <div className="banner" role="alert">
          {dropError}
          <span className="spacer" />
          <button className="btn ghost" onClick={() => setDropError(null)}>Dismiss</button>
        </div>
      )}
      {route.screen === 'timeline' ? (
        <TimelineScreen
          key={route.patientId}
          api={api}
          patientId={route.patientId}
          onBack={() => navigate(`#/patient/${route.patientId}`)}
          onOpenImage={openImage}
          onMeasure={(imageId) => navigate(`#/image/${imageId}/measure`)}
          onCompare={(imageIds) => navigate(`#/patient/${route.patientId}/compare/${imageIds.join(',')}`)}
        />
      ) : route.screen === 'compare' ? (
        <CompareScreen
          key={`${route.patientId}-${route.imageIds.join(',')}`}
          api={api}
          patientId={route.patientId}
          imageIds={route.imageIds}
          onBack={() => navigate(`#/patient/${route.patientId}/timeline`)}
        />
      ) : route.screen === 'report' ? (
        <PlanReport
          key={`${route.imageId}-${route.side}-${route.planId}`}
          api={api}
          imageId={route.imageId}
          side={route.side}
          planId={route.planId}
          onBack={() => navigate(`#/image/${route.imageId}/plan/${route.side}/${route.planId}`)}
        />
      ) : route.screen === 'plan' ? (
        <PlanScreen
          key={`${route.imageId}-${route.side ?? ''}`}
          api={api}
          imageId={route.imageId}
          side={route.side}
          planId={route.planId}
          onBack={() => navigate(`#/image/${route.imageId}/measure`)}
          onOpenPlan={(imageId, side, planId) => navigate(`#/image/${imageId}/plan/${side}/${planId}`)}
        />
      ) : route.screen === 'measure' ? (
        <MeasureScreen
          key={route.imageId}
          api={api}
          imageId={route.imageId}
          onBack={() => navigate(`#/image/${route.imageId}`)}
          onPlan={(side) => navigate(`#/image/${route.imageId}/plan/${side}`)}
        />
      ) : route.screen === 'viewer' ? (
        <ViewerScreen api={api} imageId={route.imageId} onBack={backToLibrary} onMeasure={() => navigate(`#/image/${route.imageId}/measure`)} />
      ) : (
        <LibraryScreen
          api={api}
          libraryVersion={libraryVersion}
          selectedPatientId={route.patientId}
          onSelectPatient={selectPatient}
          onOpenImage={openImage}
          importer={importer}
          media={media}
          onLibraryChanged={refreshLibrary}
        />
      )}
      <input id="pick-files" ref={filesInput} className="visually-hidden" type="file" multiple onChange={onChosen} tabIndex={-1} aria-hidden="true" />
      <input
        id="pick-folder"
        ref={folderInput}
        className="visually-hidden"
        type="file"
        multiple
        {...({ webkitdirectory: '' } as Record<string, string>)}
        onChange={onChosen}
        tabIndex={-1}
        aria-hidden="true"
      />
      <ImportPanel controller={importer} />
      {media.element}
      {dragDepth > 0 && <div className="drop-overlay">{importer.busy ? 'An import is already running' : 'Drop DICOM files or folders to import'}</div>}
    </div>
  );
}
