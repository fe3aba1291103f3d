// Imports files and folders into the library (issue 2 §5): walk, read each header (bounded), skip
// what is already there by SOP Instance UID, copy into the content-addressed store, then insert
// the rows in one transaction. A file that fails at any step leaves nothing behind: no store file
// without a row, no row without a file. The report lists every path with what happened to it.
import fs from 'node:fs';
import path from 'node:path';
import type { EventMap, ImportReport, SkippedFile } from '../../../shared/ipc/contract';
import { AppError } from '../../../shared/ipc/result';
import type { LibraryRepository } from '../db/repositories/library';
import { readDicomDir, referencedFiles } from './dicomdir';
import { fileSource, inspectDicomSource } from './read-header';
import type { LibraryStore } from './store';
import { VIEWER_TRANSFER_SYNTAXES, transferSyntaxName } from './transfer-syntax';

export type ImportFaultStage = 'after-store-write' | 'before-commit';

export interface ImportOptions {
  jobId: string;
  paths: string[];
  onProgress?: (progress: EventMap['import:progress']) => void;
  isCancelled?: () => boolean;
  /** Tests only: throw from here to simulate a crash or failure between copy and insert. */
  faultHook?: (stage: ImportFaultStage, filePath: string) => void;
  /** Minimum time between two progress events; a final event is always sent. */
  progressIntervalMs?: number;
}

export interface ImportDeps {
  repo: LibraryRepository;
  store: LibraryStore;
}

interface Candidate {
  path: string;
  size: number;
}

const DISK_FULL_MESSAGE = 'The disk is full: this file was not imported and nothing of it was kept. Free some space and import again.';

export async function importPaths(deps: ImportDeps, opts: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = { jobId: opts.jobId, imported: [], duplicates: [], skipped: [], cancelled: false };
  const { files, skipped } = await collectFiles(opts.paths);
  report.skipped.push(...skipped);

  const filesTotal = files.length;
  const bytesTotal = files.reduce((sum, f) => sum + f.size, 0);
  let filesDone = 0;
  let bytesDone = 0;
  let lastEmit = 0;
  const interval = opts.progressIntervalMs ?? 50;
  const emit = (currentPath: string | null, force = false) => {
    const now = Date.now();
    if (!opts.onProgress || (!force && now - lastEmit < interval)) return;
    lastEmit = now;
    opts.onProgress({ jobId: opts.jobId, filesDone, filesTotal, bytesDone, bytesTotal, currentPath });
  };
  emit(null, true);

  let diskFull = false;
  for (const file of files) {
    if (opts.isCancelled?.()) {
      report.cancelled = true;
      break;
    }
    if (diskFull) {
      report.skipped.push({ path: file.path, code: 'DISK_FULL', reason: DISK_FULL_MESSAGE });
    } else {
      emit(file.path);
      try {
        const outcome = await importOne(deps, file, opts.faultHook);
        if (outcome.kind === 'imported') report.imported.push(outcome.value);
        else report.duplicates.push(outcome.value);
      } catch (err) {
        const skip = toSkipped(file.path, err);
        if (skip.code === 'DISK_FULL') diskFull = true;
        report.skipped.push(skip);
      }
    }
    filesDone += 1;
    bytesDone += file.size;
  }
  emit(null, true);
  return report;
}

type Outcome =
  | { kind: 'imported'; value: ImportReport['imported'][number] }
  | { kind: 'duplicate'; value: ImportReport['duplicates'][number] };

async function importOne(deps: ImportDeps, file: Candidate, faultHook: ImportOptions['faultHook']): Promise<Outcome> {
  const handle = await fs.promises.open(file.path, 'r');
  try {
    const { size } = await handle.stat();
    const info = inspectDicomSource(fileSource(handle.fd, size));
    const header = info.header;
    if (!VIEWER_TRANSFER_SYNTAXES.has(header.transferSyntaxUid)) {
      throw new AppError(
        'UNSUPPORTED_TRANSFER_SYNTAX',
        `The image is encoded as ${transferSyntaxName(header.transferSyntaxUid)} (${header.transferSyntaxUid}), which Osteoplan cannot display; ` +
          'export it from the PACS as JPEG 2000, JPEG lossless or uncompressed.',
      );
    }
    const existing = deps.repo.findImageBySopInstanceUid(header.sopInstanceUid);
    if (existing) return { kind: 'duplicate', value: { path: file.path, sopInstanceUid: header.sopInstanceUid, imageId: existing.id } };

    const stored = await deps.store.put(handle, size);
    try {
      faultHook?.('after-store-write', file.path);
      const ids = deps.repo.insertImage(
        { header, storePath: stored.storePath, sha256: stored.sha256, sizeBytes: stored.sizeBytes, sourcePath: file.path },
        () => faultHook?.('before-commit', file.path),
      );
      return { kind: 'imported', value: { path: file.path, sopInstanceUid: header.sopInstanceUid, imageId: ids.imageId, patientId: ids.patientId } };
    } catch (err) {
      // Same bytes imported under another row (cannot happen for distinct SOP UIDs, but be exact).
      if (!deps.repo.isSha256Referenced(stored.sha256)) await deps.store.remove(stored.storePath);
      throw err;
    }
  } finally {
    await handle.close();
  }
}

function toSkipped(filePath: string, err: unknown): SkippedFile {
  if (err instanceof AppError) {
    const code = err.code === 'DICOM_UNREADABLE' || err.code === 'UNSUPPORTED_TRANSFER_SYNTAX' || err.code === 'DISK_FULL' || err.code === 'INVALID_INPUT' ? err.code : 'INTERNAL';
    return { path: filePath, code, reason: err.message };
  }
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ENOSPC' || e?.code === 'SQLITE_FULL' || e?.code === 'EDQUOT') return { path: filePath, code: 'DISK_FULL', reason: DISK_FULL_MESSAGE };
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return { path: filePath, code: 'INVALID_INPUT', reason: 'Osteoplan is not allowed to read this file.' };
  if (e?.code === 'ENOENT') return { path: filePath, code: 'INVALID_INPUT', reason: 'The file disappeared before it could be imported.' };
  if (e?.code === 'EISDIR') return { path: filePath, code: 'INVALID_INPUT', reason: 'This is a folder, not a file.' };
  return { path: filePath, code: 'INTERNAL', reason: `Import failed: ${e?.message ?? String(err)}` };
}

// ---------------------------------------------------------------------------------------------
// Walking the selection

/**
 * Expands the selection into regular files: folders recursively (each real folder once, so symlink
 * loops end), each real file once. A DICOMDIR chosen on its own stands for the files it lists.
 */
export async function collectFiles(paths: string[]): Promise<{ files: Candidate[]; skipped: SkippedFile[] }> {
  const files: Candidate[] = [];
  const skipped: SkippedFile[] = [];
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  const key = (st: fs.Stats) => `${st.dev}:${st.ino}`;

  const addFile = (filePath: string, st: fs.Stats) => {
    if (seenFiles.has(key(st))) return;
    seenFiles.add(key(st));
    files.push({ path: filePath, size: st.size });
  };

  const walkDir = async (dir: string, st: fs.Stats) => {
    if (seenDirs.has(key(st))) return;
    seenDirs.add(key(st));
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch (err) {
      skipped.push({ path: dir, code: 'INVALID_INPUT', reason: `The folder cannot be read: ${(err as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      let child: fs.Stats;
      try {
        child = await fs.promises.stat(full); // follows symlinks; loops end at seenDirs
      } catch {
        skipped.push({ path: full, code: 'INVALID_INPUT', reason: 'A broken link or an unreadable entry.' });
        continue;
      }
      if (child.isDirectory()) await walkDir(full, child);
      else if (child.isFile()) addFile(full, child);
    }
  };

  for (const input of paths) {
    const absolute = path.resolve(input);
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(absolute);
    } catch {
      skipped.push({ path: absolute, code: 'INVALID_INPUT', reason: 'No such file or folder.' });
      continue;
    }
    if (st.isDirectory()) {
      await walkDir(absolute, st);
    } else if (st.isFile() && path.basename(absolute).toUpperCase() === 'DICOMDIR') {
      await addDicomDirFiles(absolute, st);
    } else if (st.isFile()) {
      addFile(absolute, st);
    } else {
      skipped.push({ path: absolute, code: 'INVALID_INPUT', reason: 'Not a regular file or folder.' });
    }
  }
  return { files, skipped };

  async function addDicomDirFiles(dicomdir: string, st: fs.Stats) {
    let listed: string[];
    try {
      const media = readDicomDir(dicomdir);
      listed = referencedFiles(media);
      for (const missing of media.missing) {
        skipped.push({ path: path.join(media.root, missing), code: 'INVALID_INPUT', reason: 'Listed in the DICOMDIR but missing from the disc or folder.' });
      }
    } catch {
      // An unreadable index: fall back to everything beside it, which is what it would list
      // (the DICOMDIR itself is then reported as not an image).
      await walkDir(path.dirname(dicomdir), await fs.promises.stat(path.dirname(dicomdir)));
      addFile(dicomdir, st);
      return;
    }
    for (const listedPath of listed) {
      try {
        const child = await fs.promises.stat(listedPath);
        if (child.isFile()) addFile(listedPath, child);
      } catch {
        skipped.push({ path: listedPath, code: 'INVALID_INPUT', reason: 'Listed in the DICOMDIR but cannot be read.' });
      }
    }
  }
}
