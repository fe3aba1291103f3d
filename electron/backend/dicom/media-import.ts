// CD / DICOMDIR import (issue 7): the user points at a CD root or a DICOMDIR, sees the patients and
// studies it lists (read from the directory records only, nothing copied), then imports the studies
// they choose through the normal import. Files the DICOMDIR lists but the medium lacks are reported
// per file, never silently dropped.
import fs from 'node:fs';
import path from 'node:path';
import type { MediaStudySummary, MediaSummary, SkippedFile } from '../../../shared/ipc/contract';
import { AppError } from '../../../shared/ipc/result';
import { findDicomDir, readDicomDir, type MediaDirectory, type MediaStudy } from './dicomdir';

/** The DICOMDIR a path stands for: the file itself, or the DICOMDIR at the root of a folder. */
export function locateDicomDir(input: string): string {
  const absolute = path.resolve(input);
  let st: fs.Stats;
  try {
    st = fs.statSync(absolute);
  } catch {
    throw new AppError('NOT_FOUND', `${absolute} does not exist (was the disc ejected?).`);
  }
  if (st.isFile()) return absolute;
  if (!st.isDirectory()) throw new AppError('INVALID_INPUT', `${absolute} is neither a file nor a folder.`);
  const found = findDicomDir(absolute);
  if (!found) {
    throw new AppError(
      'INVALID_INPUT',
      `There is no DICOMDIR in ${absolute}, so there is no disc index to read. Use "Import folder" instead: it reads every file in the folder.`,
    );
  }
  return found;
}

/** Reads the DICOMDIR a path stands for (see locateDicomDir). */
export function readMedia(input: string): MediaDirectory {
  return readDicomDir(locateDicomDir(input));
}

/** What the import dialog shows: patients, studies and series, with counts of missing and already imported instances. */
export function summariseMedia(media: MediaDirectory, isInLibrary: (sopInstanceUid: string) => boolean): MediaSummary {
  const study = (s: MediaStudy): MediaStudySummary => ({
    studyInstanceUid: s.studyInstanceUid,
    studyDate: s.studyDate,
    description: s.description,
    accessionNumber: s.accessionNumber,
    series: s.series.map((se) => ({
      seriesInstanceUid: se.seriesInstanceUid,
      modality: se.modality,
      seriesNumber: se.seriesNumber,
      instanceCount: se.instances.length,
      missingCount: se.instances.filter((i) => i.path === null).length,
    })),
    alreadyImported: s.series.reduce((n, se) => n + se.instances.filter((i) => i.sopInstanceUid !== null && isInLibrary(i.sopInstanceUid)).length, 0),
  });
  return {
    dicomdirPath: media.dicomdirPath,
    fileSetId: media.fileSetId,
    patients: media.patients.map((p) => ({ patientId: p.patientId, name: p.name, birthDate: p.birthDate, sex: p.sex, studies: p.studies.map(study) })),
    missing: media.missing,
    warnings: media.warnings,
  };
}

export const missingReason = (fileId: string) => `listed in the DICOMDIR but missing from the medium: ${fileId}`;

export interface MediaSelection {
  /** Files on the medium, in directory order, each once. */
  files: string[];
  /** Listed files the medium lacks, already in report form. */
  missing: SkippedFile[];
}

/**
 * The files of the chosen studies. A study UID the DICOMDIR does not list is refused before
 * anything is imported (the dialog and the disc disagree: the disc was probably swapped).
 */
export function selectStudies(media: MediaDirectory, studyInstanceUids: string[]): MediaSelection {
  const wanted = new Set(studyInstanceUids);
  const found = new Set<string>();
  const files: string[] = [];
  const seen = new Set<string>();
  const missing: SkippedFile[] = [];
  for (const patient of media.patients) {
    for (const study of patient.studies) {
      if (study.studyInstanceUid === null || !wanted.has(study.studyInstanceUid)) continue;
      found.add(study.studyInstanceUid);
      for (const series of study.series) {
        for (const instance of series.instances) {
          const fileId = instance.referencedFileId.join('/');
          if (instance.path === null) {
            missing.push({ path: path.join(media.root, ...instance.referencedFileId), code: 'INVALID_INPUT', reason: missingReason(fileId) });
          } else if (!seen.has(instance.path)) {
            seen.add(instance.path);
            files.push(instance.path);
          }
        }
      }
    }
  }
  const absent = studyInstanceUids.filter((uid) => !found.has(uid));
  if (absent.length) {
    throw new AppError(
      'NOT_FOUND',
      `${absent.length === 1 ? 'The study' : `${absent.length} studies`} ${absent.slice(0, 3).join(', ')}${absent.length > 3 ? '…' : ''} ` +
        `${absent.length === 1 ? 'is' : 'are'} not listed in ${media.dicomdirPath}: read the disc again.`,
    );
  }
  return { files, missing };
}
