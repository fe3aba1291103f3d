// Imports files and folders into the library (issue 2 §5): walk, read each header (bounded), skip
// what is already there by SOP Instance UID, copy into the content-addressed store, then insert the
// rows. Files are staged a few at a time (copied, hashed and fsynced under a temporary name) and
// committed in batches: the batch's files get their store names with one fsync per touched folder,
// then all their rows go in one transaction. A file that fails at any step leaves nothing behind: no
// store file without a row, no row without a file, no temporary file. The report lists every path
// with what happened to it.
import fs from 'node:fs';
import path from 'node:path';
import type { DicomHeader } from '../../../shared/dicom/header';
import type { EventMap, ImportReport, SkippedFile } from '../../../shared/ipc/contract';
import { AppError } from '../../../shared/ipc/result';
import type { LibraryRepository } from '../db/repositories/library';
import { readDicomDir, referencedFiles } from './dicomdir';
import { fileSource, inspectDicomSource } from './read-header';
import type { LibraryStore, SourceFile, StagedFile } from './store';
import { VIEWER_TRANSFER_SYNTAXES, unsupportedTransferSyntaxMessage } from '../../../shared/dicom/transfer-syntax';

/** 'after-store-write': a file is durable under its temporary name; 'before-commit': its batch is published, inside the transaction. */
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
  /** Files staged at the same time (default 4). */
  concurrency?: number;
  /** Most files committed together (default 64); 1 commits each file on its own. */
  batchFiles?: number;
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

const DEFAULT_CONCURRENCY = 4;
const DEFAULT_BATCH_FILES = 64;
/** A batch is also committed once it holds this much, so a few huge films are not held back long. */
const BATCH_BYTES = 256 * 1024 * 1024;
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

  // A few files at a time: copies (with their hash and fsync) run in worker threads while the next
  // headers are read and the previous batch commits. Files are started in order and every started
  // file finishes whole (committed or left out entirely), so cancel and a full disk stop the job
  // between files, and the report lists files in selection order.
  const outcomes: Promise<Outcome | SkippedFile>[] = [];
  const commits = new GroupCommit(deps, opts.faultHook, Math.max(1, opts.batchFiles ?? DEFAULT_BATCH_FILES));
  const inFlight = new Map<string, Promise<unknown>>();
  let diskFull = false;
  // Files claim their SOP instance in selection order (header reads still overlap): of two files
  // holding the same instance, the one selected first is imported and the other is its duplicate.
  let turn: Promise<void> = Promise.resolve();
  const settle = (file: SourceFile, outcome: Promise<Outcome>) =>
    outcome.catch((err: unknown) => {
      const skip = toSkipped(file.path, err);
      if (skip.code === 'DISK_FULL') diskFull = true;
      return skip;
    });
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
        outcomes[index] = Promise.resolve({ path: file.path, code: 'DISK_FULL', reason: DISK_FULL_MESSAGE });
      } else {
        emit(file.path);
        let queued!: () => void;
        const staged = new Promise<void>((resolve) => (queued = resolve));
        let claimed!: () => void;
        const ownClaim = new Promise<void>((resolve) => (claimed = resolve));
        const previousClaimed = turn;
        turn = previousClaimed.then(() => ownClaim);
        const outcome = settle(file, importOne(deps, file, { faultHook: opts.faultHook, inFlight, commits, queued, previousClaimed, claimed }));
        outcomes[index] = outcome;
        // Staged (or failed): the next file can start; the commit comes with the batch.
        await Promise.race([outcome, staged]);
      }
      filesDone += 1;
      bytesDone += file.size;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY) }, worker));
  await commits.flush();
  for (const outcome of await Promise.all(outcomes.filter(Boolean))) {
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

interface JobState {
  faultHook: ImportOptions['faultHook'];
  /** Files being staged or committed, by SOP Instance UID. */
  inFlight: Map<string, Promise<unknown>>;
  commits: GroupCommit;
  /** Called once the file waits in a batch. */
  queued: () => void;
  /** Resolves once every file selected before this one has claimed its instance (or failed before). */
  previousClaimed: Promise<void>;
  /** Called once this file has claimed its instance, turned out a duplicate, or failed before. */
  claimed: () => void;
}

async function importOne(deps: ImportDeps, file: SourceFile, job: JobState): Promise<Outcome> {
  const { inFlight, commits } = job;
  let outcome: Promise<Outcome>;
  try {
    const header = deps.readHeader ? await deps.readHeader(file.path) : readHeaderInline(file.path);
    if (!VIEWER_TRANSFER_SYNTAXES.has(header.transferSyntaxUid)) {
      throw new AppError('UNSUPPORTED_TRANSFER_SYNTAX', unsupportedTransferSyntaxMessage(header.transferSyntaxUid));
    }
    await job.previousClaimed;
    // The same instance in another file of this job (another transfer syntax, a copy): wait until
    // that one is committed or given up, then it is a duplicate like any instance already in the library.
    for (let pending = inFlight.get(header.sopInstanceUid); pending; pending = inFlight.get(header.sopInstanceUid)) {
      await commits.whileWaiting(pending.catch(() => undefined));
    }
    const existing = deps.repo.findImageBySopInstanceUid(header.sopInstanceUid);
    if (existing) return { kind: 'duplicate', value: { path: file.path, sopInstanceUid: header.sopInstanceUid, imageId: existing.id } };
    const claim = stageAndCommit(deps, file, header, job);
    inFlight.set(header.sopInstanceUid, claim);
    const release = () => {
      if (inFlight.get(header.sopInstanceUid) === claim) inFlight.delete(header.sopInstanceUid);
    };
    claim.then(release, release);
    outcome = claim;
  } finally {
    job.claimed();
  }
  return outcome;
}

function readHeaderInline(filePath: string): DicomHeader {
  const fd = fs.openSync(filePath, 'r');
  try {
    return inspectDicomSource(fileSource(fd, fs.fstatSync(fd).size)).header;
  } finally {
    fs.closeSync(fd);
  }
}

async function stageAndCommit(deps: ImportDeps, file: SourceFile, header: DicomHeader, job: JobState): Promise<Outcome> {
  // The header kept is the one read from the stored copy, so row and bytes cannot disagree even
  // if the source file is replaced while it is being imported.
  const staged = await deps.store.stage(file, (copied) => {
    if (copied.sopInstanceUid !== header.sopInstanceUid) {
      throw new AppError('DICOM_UNREADABLE', 'The file changed while it was being imported; nothing of it was kept.');
    }
    return copied;
  });
  try {
    job.faultHook?.('after-store-write', file.path);
  } catch (err) {
    await deps.store.discard(staged);
    throw err;
  }
  const outcome = job.commits.add(file, staged);
  job.queued();
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// Committing staged files in batches

interface Staged {
  file: SourceFile;
  staged: StagedFile<DicomHeader>;
  resolve: (outcome: Outcome) => void;
  reject: (err: unknown) => void;
}

/** Errors that concern the database or the disk as a whole, not one row: retrying row by row cannot help. */
const WHOLE_BATCH_ERROR = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|PERM)/;

/**
 * Collects staged files and commits them together: when `batchFiles` files or BATCH_BYTES are
 * queued, when a worker waits for an instance that is queued, and at the end of the job. One batch
 * is committed at a time, in order, while the workers go on staging the next files.
 */
class GroupCommit {
  private queue: Staged[] = [];
  private queuedBytes = 0;
  private committing: Promise<void> = Promise.resolve();
  private waiters = 0;

  constructor(
    private readonly deps: ImportDeps,
    private readonly faultHook: ImportOptions['faultHook'],
    private readonly batchFiles: number,
  ) {}

  add(file: SourceFile, staged: StagedFile<DicomHeader>): Promise<Outcome> {
    const outcome = new Promise<Outcome>((resolve, reject) => this.queue.push({ file, staged, resolve, reject }));
    this.queuedBytes += staged.sizeBytes;
    if (this.waiters > 0 || this.queue.length >= this.batchFiles || this.queuedBytes >= BATCH_BYTES) void this.flush();
    return outcome;
  }

  /** Commits everything queued now; resolves when that batch and every earlier one are committed. */
  flush(): Promise<void> {
    const batch = this.queue.splice(0);
    this.queuedBytes = 0;
    if (batch.length === 0) return this.committing;
    // commitBatch settles every file itself; should it throw all the same, its files fail and later batches still run.
    this.committing = this.committing.then(() => commitBatch(this.deps, batch, this.faultHook)).catch((err: unknown) => batch.forEach((b) => b.reject(err)));
    return this.committing;
  }

  /** While a worker waits for another file of the same instance, batches are committed without waiting to fill up. */
  async whileWaiting(pending: Promise<unknown>): Promise<void> {
    this.waiters += 1;
    try {
      void this.flush();
      await pending;
    } finally {
      this.waiters -= 1;
    }
  }
}

async function commitBatch(deps: ImportDeps, batch: Staged[], faultHook: ImportOptions['faultHook']): Promise<void> {
  const published: Staged[] = [];
  try {
    const renamed = await deps.store.publish(
      batch.map((b) => b.staged),
      (sha256) => deps.repo.isSha256Referenced(sha256),
    );
    batch.forEach((b, i) => (renamed[i] ? b.reject(storeError(renamed[i])) : published.push(b)));
  } catch (err) {
    for (const b of batch) b.reject(storeError(err));
    return;
  }
  if (published.length === 0) return;
  const rows = (items: Staged[]) =>
    items.map(({ file, staged }) => ({ header: staged.verified, storePath: staged.storePath, sha256: staged.sha256, sizeBytes: staged.sizeBytes, sourcePath: file.path }));
  const beforeCommit = (items: Staged[]) => () => items.forEach((b) => faultHook?.('before-commit', b.file.path));
  const imported = (b: Staged, ids: { imageId: number; patientId: number }) =>
    b.resolve({ kind: 'imported', value: { path: b.file.path, sopInstanceUid: b.staged.verified.sopInstanceUid, imageId: ids.imageId, patientId: ids.patientId } });
  const giveUp = async (b: Staged, err: unknown) => {
    // Same bytes imported under another row (cannot happen for distinct SOP UIDs, but be exact).
    if (!deps.repo.isSha256Referenced(b.staged.sha256)) await deps.store.remove(b.staged.storePath).catch(() => undefined);
    b.reject(err);
  };
  try {
    const ids = deps.repo.insertImages(rows(published), beforeCommit(published));
    published.forEach((b, i) => imported(b, ids[i]!));
    return;
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    if (published.length === 1 || (typeof code === 'string' && WHOLE_BATCH_ERROR.test(code))) {
      for (const b of published) await giveUp(b, err);
      return;
    }
  }
  // One file's row failed the batch: each file on its own, so the others are kept.
  for (const b of published) {
    try {
      imported(b, deps.repo.insertImages(rows([b]), beforeCommit([b]))[0]!);
    } catch (err) {
      await giveUp(b, err);
    }
  }
}

/** A failure to name or sync files in the store: not about the source file, whatever its errno says. */
function storeError(err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  if (err instanceof AppError || code === 'ENOSPC' || code === 'EDQUOT') return err;
  return new AppError('INTERNAL', `The copy could not be put in the library store: ${(err as Error)?.message ?? String(err)}`);
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
export async function collectFiles(paths: string[]): Promise<{ files: SourceFile[]; skipped: SkippedFile[] }> {
  const files: SourceFile[] = [];
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
