// Entry points for the CD and scanned-film imports: Electron asks its native dialog for a path;
// the browser uses a folder chooser (the whole CD tree, uploaded with its layout) or a file chooser.
import { useCallback, useRef, useState, type ReactNode } from 'react';
import type { ImportReport } from '../../../shared/ipc/contract';
import { ApiError, type OsteoplanApi } from '../api';
import { CdImportDialog, type CdSource } from './CdImportDialog';
import { FILM_EXTENSIONS, ScannedFilmDialog, type FilmSource } from './ScannedFilmDialog';
import type { ImportController } from './use-import';

export interface MediaImport {
  openCd(): void;
  openFilm(): void;
  /** Dialogs and the hidden choosers; render once in the window. */
  element: ReactNode;
}

export function useMediaImport(api: OsteoplanApi, importer: ImportController, onFilmImported: (report: ImportReport) => void): MediaImport {
  const [cd, setCd] = useState<CdSource | null>(null);
  const [film, setFilm] = useState<FilmSource | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cdInput = useRef<HTMLInputElement>(null);
  const filmInput = useRef<HTMLInputElement>(null);

  const nativePath = useCallback(
    async (kind: 'dicomdir' | 'images'): Promise<string | null> => {
      try {
        const paths = await api.invoke('dialog:openPaths', { kind });
        return paths[0] ?? null;
      } catch (err) {
        setError(err instanceof ApiError ? err.message : String(err));
        return null;
      }
    },
    [api],
  );

  const openCd = useCallback(() => {
    setError(null);
    if (api.hasNativeDialog) void nativePath('dicomdir').then((p) => p && setCd({ kind: 'path', path: p }));
    else cdInput.current?.click();
  }, [api, nativePath]);

  const openFilm = useCallback(() => {
    setError(null);
    if (api.hasNativeDialog) void nativePath('images').then((p) => p && setFilm({ kind: 'path', path: p }));
    else filmInput.current?.click();
  }, [api, nativePath]);

  const closeCd = useCallback(() => setCd(null), []);
  const closeFilm = useCallback(() => setFilm(null), []);

  const element = (
    <>
      {error && (
        <div className="banner media-error" role="alert">
          {error}
          <span className="spacer" />
          <button className="btn ghost" onClick={() => setError(null)}>Dismiss</button>
        </div>
      )}
      {cd && (
        <CdImportDialog
          api={api}
          source={cd}
          busy={importer.busy}
          onClose={closeCd}
          onImport={(dicomdirPath, uids) => {
            setCd(null);
            importer.importMedia(dicomdirPath, uids);
          }}
        />
      )}
      {film && (
        <ScannedFilmDialog
          api={api}
          source={film}
          onClose={closeFilm}
          onImported={(report) => {
            setFilm(null);
            onFilmImported(report);
          }}
        />
      )}
      <input
        id="pick-cd"
        ref={cdInput}
        className="visually-hidden"
        type="file"
        multiple
        {...({ webkitdirectory: '' } as Record<string, string>)}
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          if (files.length) setCd({ kind: 'files', files });
        }}
        tabIndex={-1}
        aria-hidden="true"
      />
      <input
        id="pick-film"
        ref={filmInput}
        className="visually-hidden"
        type="file"
        accept={[...FILM_EXTENSIONS, 'image/png', 'image/jpeg', 'image/tiff'].join(',')}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) setFilm({ kind: 'file', file });
        }}
        tabIndex={-1}
        aria-hidden="true"
      />
    </>
  );
  return { openCd, openFilm, element };
}
