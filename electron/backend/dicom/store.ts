// The managed library store: every imported file is copied, byte for byte, to
// store/<first two hex digits>/<sha256>.dcm. A copy is written to a temporary name inside the store
// and fsynced (stage), then renamed to its content address and its folder fsynced (publish), so a
// crash leaves either a whole file or a tmp-* leftover, never a partial file under a real name
// (model: Signal-Desktop's attachment writes). The import stages several files, then publishes them
// together: one fsync per touched folder for the whole batch instead of one per file. Rows in the
// database point here by relative path; ids, never paths, cross IPC.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/ipc/result';
import type { DicomHeader } from '../../../shared/dicom/header';
import { fileSource, inspectDicomSource } from './read-header';

const COPY_CHUNK_BYTES = 256 * 1024;
const STORE_NAME = /^[0-9a-f]{2}\/[0-9a-f]{64}\.dcm$/;
const TMP_PREFIX = 'tmp-';

/** A file to import, as the walk of the selection found it. */
export interface SourceFile {
  path: string;
  size: number;
}

export interface StagedFile<T> {
  /** Where the durable copy waits for its name. */
  tmpPath: string;
  sha256: string;
  /** Relative to the store root, with '/' separators: ab/abcdef....dcm */
  storePath: string;
  /** Where publish puts it. */
  absolutePath: string;
  sizeBytes: number;
  verified: T;
}

export class LibraryStore {
  /** Folders known to exist (and to be durable): publish skips their mkdir. */
  private readonly folders = new Set<string>();

  /**
   * `copy` is copyIntoStore run elsewhere: the backend passes its worker pool's, so copying and
   * hashing run beside the main thread; without one they run here, blocking (tests).
   */
  constructor(
    readonly root: string,
    private readonly copy: (source: string, tmpPath: string) => Promise<CopiedFile> = async (source, tmpPath) => copyIntoStore(source, tmpPath),
  ) {
    fs.mkdirSync(root, { recursive: true });
  }

  static isStorePath(relative: string): boolean {
    return STORE_NAME.test(relative);
  }

  absolutePath(storePath: string): string {
    if (!STORE_NAME.test(storePath)) throw new AppError('INTERNAL', `Not a library store path: ${storePath}`);
    return path.join(this.root, ...storePath.split('/'));
  }

  /**
   * Copies a file to a temporary name in the store and makes it durable there (copyIntoStore).
   * `verify` gets the header read from the copy; if it throws, or the copy is not `source.size`
   * bytes, the temporary file is removed and nothing is kept. Nothing is under a store name yet:
   * `publish` gives the file its address, `discard` drops it.
   */
  async stage<T>(source: SourceFile, verify: (copied: DicomHeader) => T): Promise<StagedFile<T>> {
    const tmpPath = path.join(this.root, `${TMP_PREFIX}${randomBytes(12).toString('hex')}`);
    try {
      const { sha256, size, header } = await this.copy(source.path, tmpPath);
      if (size !== source.size) throw new AppError('DICOM_UNREADABLE', 'The file changed while it was being imported; nothing of it was kept.');
      const verified = verify(header);
      const storePath = `${sha256.slice(0, 2)}/${sha256}.dcm`;
      return { tmpPath, sha256, storePath, absolutePath: this.absolutePath(storePath), sizeBytes: size, verified };
    } catch (err) {
      await fs.promises.rm(tmpPath, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Renames staged files to their content addresses, then makes the renames durable: each touched
   * folder is fsynced once, all of them at the same time (and the store root once if a folder was
   * created). A file whose rename fails is discarded and its error is returned in its place; the
   * others are published. If the folders cannot be synced, every file of the batch is taken out of
   * the store again (unless `keep` says a row already references those bytes) and the error thrown.
   */
  async publish(files: readonly StagedFile<unknown>[], keep: (sha256: string) => boolean): Promise<(Error | null)[]> {
    const results: (Error | null)[] = [];
    const folders = new Set<string>();
    let createdFolder = false;
    for (const file of files) {
      try {
        const folder = path.dirname(file.absolutePath);
        if (!this.folders.has(folder) && (await fs.promises.mkdir(folder, { recursive: true }))) createdFolder = true;
        await fs.promises.rename(file.tmpPath, file.absolutePath).catch(async (err: NodeJS.ErrnoException) => {
          // A folder removed behind our back since it was seen: make it again, once.
          if (err.code !== 'ENOENT' || !this.folders.delete(folder)) throw err;
          if (await fs.promises.mkdir(folder, { recursive: true })) createdFolder = true;
          await fs.promises.rename(file.tmpPath, file.absolutePath);
        });
        folders.add(folder);
        results.push(null);
      } catch (err) {
        await this.discard(file);
        results.push(err as Error);
      }
    }
    try {
      if (createdFolder) await fsyncDir(this.root);
      await Promise.all([...folders].map(fsyncDir));
      for (const folder of folders) this.folders.add(folder);
    } catch (err) {
      for (const [i, file] of files.entries()) if (results[i] === null && !keep(file.sha256)) await this.remove(file.storePath);
      throw err;
    }
    return results;
  }

  /** Removes a staged file that will not be published. */
  async discard(file: StagedFile<unknown>): Promise<void> {
    await fs.promises.rm(file.tmpPath, { force: true }).catch(() => undefined);
  }

  /** Removes a stored file; the caller has checked that no row references it. */
  async remove(storePath: string): Promise<void> {
    await fs.promises.rm(this.absolutePath(storePath), { force: true });
  }

  /** Every file currently in the store, as relative store paths (tmp leftovers included as-is). */
  listFiles(): string[] {
    const out: string[] = [];
    for (const entry of fs.readdirSync(this.root, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        for (const file of fs.readdirSync(path.join(this.root, entry.name))) out.push(`${entry.name}/${file}`);
      } else {
        out.push(entry.name);
      }
    }
    return out.sort();
  }

  /**
   * Removes what a crash can leave behind: tmp-* files and content files no row references.
   * Only files older than `minAgeMs` are touched, so an import running in another process that
   * shares this data dir is never disturbed.
   */
  sweep(referenced: Set<string>, minAgeMs = 10 * 60 * 1000): string[] {
    const removed: string[] = [];
    const cutoff = Date.now() - minAgeMs;
    for (const relative of this.listFiles()) {
      const name = relative.split('/').pop()!;
      const isTmp = !relative.includes('/') && name.startsWith(TMP_PREFIX);
      const orphan = STORE_NAME.test(relative) && !referenced.has(name.slice(0, 64));
      if (!isTmp && !orphan) continue;
      const absolute = path.join(this.root, ...relative.split('/'));
      try {
        if (fs.statSync(absolute).mtimeMs > cutoff) continue;
        fs.rmSync(absolute, { force: true });
        removed.push(relative);
      } catch {
        // Already gone or unreadable: the next start tries again.
      }
    }
    return removed;
  }
}

export interface CopiedFile {
  sha256: string;
  size: number;
  /** Read from the copy, so the row and the stored bytes cannot disagree. */
  header: DicomHeader;
}

/**
 * Copies `source` to the new file `tmpPath` (mode 0644 whatever the source's: a CD's files are
 * read-only), fsyncs it and reads its header back. The sha256 is taken of each chunk as it is
 * written, so the address names exactly the bytes stored and each byte is read once; chunks small
 * enough to stay in the CPU cache between read, hash and write measured cheaper than a kernel copy
 * read back for the hash. The caller removes `tmpPath` if this throws.
 */
export function copyIntoStore(source: string, tmpPath: string): CopiedFile {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
  const input = fs.openSync(source, 'r');
  try {
    const output = fs.openSync(tmpPath, 'wx+', 0o644);
    try {
      fs.fchmodSync(output, 0o644); // whatever the umask
      let size = 0;
      for (let read = fs.readSync(input, buffer, 0, buffer.length, size); read > 0; read = fs.readSync(input, buffer, 0, buffer.length, size)) {
        hash.update(buffer.subarray(0, read));
        for (let written = 0; written < read; ) written += fs.writeSync(output, buffer, written, read - written, size + written);
        size += read;
      }
      fs.fsyncSync(output);
      return { sha256: hash.digest('hex'), size, header: inspectDicomSource(fileSource(output, size)).header };
    } finally {
      fs.closeSync(output);
    }
  } finally {
    fs.closeSync(input);
  }
}

/** Makes a rename or a new entry durable. Windows cannot open folders for fsync; NTFS journals them. */
async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
