// Imports files and folders into the library (issue 2 §5): walk, read each header (bounded), skip
// what is already there by SOP Instance UID, copy into the content-addressed store, then insert
// the rows in one transaction. A file that fails at any step leaves nothing behind: no store file
// without a row, no row without a file. The report lists every path with what happened to it.
import fs from 'node:fs';
import path from 'node:path';
import type { DicomHeader } from '../../../shared/dicom/header';
import type { EventMap, ImportReport, SkippedFile } from '../../../shared/ipc/contract';
import { AppError } from '../../../shared/ipc/result';
import type { LibraryRepository } from '../db/repositories/library';
import { readDicomDir, referencedFiles } from './dicomdir';
import { fileSource, inspectDicom, inspectDicomSource } from './read-header';
import type { LibraryStore } from './store';
import { VIEWER_TRANSFER_SYNTAXES, unsupportedTransferSyntaxMessage } from '../../../shared/dicom/transfer-syntax';

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
  /** Files imported at the same time (default 3). */
  concurrency?: number;
}

export interface ImportDeps {
  repo: LibraryRepository;
  store: LibraryStore;
  /**
   * Reads a header off the main thread with a per-file time limit (HeaderReaderPool). Without it
   * the header is read inline, which only tests that construct their own deps do.
   */
  readHeader?: (filePath: string) => Promise<DicomHeader>;
}

interface Candidate {
  path: string;
  size: number;
}

const DEFAULT_CONCURRENCY = 3;
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

  // A few files at a time: one file's kernel copy and fsync overlap another's hashing. Files are
  // started in order and every started file finishes whole, so cancel and a full disk stop the
  // job between files, and the report lists files in selection order.
  const outcomes: (Outcome | SkippedFile | undefined)[] = new Array(files.length);
  const inFlight = new Map<string, Promise<void>>();
  let diskFull = false;
  let next = 0;
  const worker = async () => {
    for (;;) {
      if (next >= files.length) return;
      if (opts.isCancelled?.()) {
        report.cancelled = true;
        return;
      }
      const index = next++;
      const file = files[index]!;
      if (diskFull) {
        outcomes[index] = { path: file.path, code: 'DISK_FULL', reason: DISK_FULL_MESSAGE };
      } else {
        emit(file.path);
        try {
          outcomes[index] = await importOne(deps, file, opts.faultHook, inFlight);
        } catch (err) {
          const skip = toSkipped(file.path, err);
          if (skip.code === 'DISK_FULL') diskFull = true;
          outcomes[index] = skip;
        }
      }
      filesDone += 1;
      bytesDone += file.size;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY) }, worker));
  for (const outcome of outcomes) {
    if (!outcome) continue; // not started: the job was cancelled
    if (!('kind' in outcome)) report.skipped.push(outcome);
    else if (outcome.kind === 'imported') report.imported.push(outcome.value);
    else report.duplicates.push(outcome.value);
  }
  emit(null, true);
  return report;
}

type Outcome =
  | { kind: 'imported'; value: ImportReport['imported'][number] }
  | { kind: 'duplicate'; value: ImportReport['duplicates'][number] };

async function importOne(deps: ImportDeps, file: Candidate, faultHook: ImportOptions['faultHook'], inFlight: Map<string, Promise<void>>): Promise<Outcome> {
  const header = deps.readHeader ? await deps.readHeader(file.path) : readHeaderInline(file.path);
  if (!VIEWER_TRANSFER_SYNTAXES.has(header.transferSyntaxUid)) {
    throw new AppError('UNSUPPORTED_TRANSFER_SYNTAX', unsupportedTransferSyntaxMessage(header.transferSyntaxUid));
  }
  // The same instance in another file of this job (another transfer syntax, a copy): wait for
  // that one, then it is a duplicate like any instance already in the library.
  for (let pending = inFlight.get(header.sopInstanceUid); pending; pending = inFlight.get(header.sopInstanceUid)) await pending;
  const existing = deps.repo.findImageBySopInstanceUid(header.sopInstanceUid);
  if (existing) return { kind: 'duplicate', value: { path: file.path, sopInstanceUid: header.sopInstanceUid, imageId: existing.id } };
  let release!: () => void;
  inFlight.set(header.sopInstanceUid, new Promise<void>((resolve) => (release = resolve)));
  try {
    const { size } = await fs.promises.stat(file.path);
    return await storeAndInsert(deps, file, size, header, faultHook);
  } finally {
    inFlight.delete(header.sopInstanceUid);
    release();
  }
}

function readHeaderInline(filePath: string): DicomHeader {
  const fd = fs.openSync(filePath, 'r');
  try {
    return inspectDicomSource(fileSource(fd, fs.fstatSync(fd).size)).header;
  } finally {
    fs.closeSync(fd);
  }
}

async function storeAndInsert(deps: ImportDeps, file: Candidate, size: number, header: DicomHeader, faultHook: ImportOptions['faultHook']): Promise<Outcome> {
  // The header kept is the one read from the stored copy, so row and bytes cannot disagree even
  // if the source file is replaced while it is being imported.
  const stored = await deps.store.put(file.path, size, (copy) => {
    const copied = inspectDicom(copy).header;
    if (copied.sopInstanceUid !== header.sopInstanceUid) {
      throw new AppError('DICOM_UNREADABLE', 'The file changed while it was being imported; nothing of it was kept.');
    }
    return copied;
  });
  try {
    faultHook?.('after-store-write', file.path);
    const ids = deps.repo.insertImage(
      { header: stored.verified, storePath: stored.storePath, sha256: stored.sha256, sizeBytes: stored.sizeBytes, sourcePath: file.path },
      () => faultHook?.('before-commit', file.path),
    );
    return { kind: 'imported', value: { path: file.path, sopInstanceUid: header.sopInstanceUid, imageId: ids.imageId, patientId: ids.patientId } };
  } catch (err) {
    // Same bytes imported under another row (cannot happen for distinct SOP UIDs, but be exact).
    if (!deps.repo.isSha256Referenced(stored.sha256)) await deps.store.remove(stored.storePath);
    throw err;
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
