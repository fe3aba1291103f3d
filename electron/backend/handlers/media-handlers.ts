// Media and scanned-film channels (issue 7): read a CD's DICOMDIR, import the studies the user
// chose from it, and import a scanned film as a Secondary Capture image. Both imports go through
// the library's own import:paths handler, so they share its progress events, its cancel
// (import:cancel) and its report, and a file they bring in is indistinguishable from any other.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ImportReport } from '../../../shared/ipc/contract';
import type { Handler, HandlerTable } from '../dispatch';
import { readMedia, selectStudies, summariseMedia } from '../dicom/media-import';
import { buildScannedFilmDicom } from '../dicom/scanned-film';
import { dataPaths } from '../paths';
import type { HandlerDeps } from './library-handlers';

export type MediaChannels = 'media:read' | 'media:import' | 'import:scannedFilm';

export function mediaHandlers(deps: HandlerDeps, importPaths: Handler<'import:paths'>): Pick<HandlerTable, MediaChannels> {
  return {
    'media:read': ({ path: input }) => {
      const media = readMedia(input);
      return summariseMedia(media, (uid) => deps.repo.findImageBySopInstanceUid(uid) !== undefined);
    },

    'media:import': async ({ dicomdirPath, studyInstanceUids, jobId }, context) => {
      const media = readMedia(dicomdirPath);
      const { files, missing } = selectStudies(media, studyInstanceUids);
      const id = jobId ?? randomUUID();
      const report: ImportReport = files.length
        ? await importPaths({ paths: files, jobId: id }, context)
        : { jobId: id, imported: [], duplicates: [], skipped: [], cancelled: false };
      report.skipped.push(...missing);
      return report;
    },

    'import:scannedFilm': async ({ path: imagePath, jobId, ...form }, context) => {
      const source = path.resolve(imagePath);
      const dicom = buildScannedFilmDicom(source, form, path.basename(source));
      // The film is written to staging and imported from there like any file, then the staging
      // copy goes: the library store keeps the only copy.
      const staging = dataPaths(deps.dataDir).staging;
      fs.mkdirSync(staging, { recursive: true });
      const temp = path.join(staging, `scanned-film-${randomUUID()}.dcm`);
      fs.writeFileSync(temp, dicom, { flag: 'wx' });
      try {
        const report = await importPaths({ paths: [temp], jobId: jobId ?? randomUUID() }, context);
        // The user chose the image file: report it, not the staging name.
        for (const entry of [...report.imported, ...report.duplicates, ...report.skipped]) if (entry.path === temp) entry.path = source;
        return report;
      } finally {
        fs.rmSync(temp, { force: true });
      }
    },
  };
}
