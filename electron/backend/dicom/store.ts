// The managed library store: every imported file is copied, byte for byte, to
// store/<first two hex digits>/<sha256>.dcm. A copy is written to a temporary name inside the store
// and fsynced (stage), then renamed to its content address and its folder fsynced (publish), so a
// crash leaves either a whole file or a tmp-* leftover, never a partial file under a real name
// (model: Signal-Desktop's attachment writes). The import stages several files, then publishes them
// together: one fsync per touched folder for the whole batch instead of one per file. Rows in the
// database point here by relative path; ids, never paths, cross IPC.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/ipc/result';

const CHUNK_BYTES = 4 * 1024 * 1024;
const STORE_NAME = /^[0-9a-f]{2}\/[0-9a-f]{64}\.dcm$/;
const TMP_PREFIX = 'tmp-';

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
  constructor(readonly root: string) {
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
   * Copies a file to a temporary name in the store and makes it durable there. The copy is made by
   * the kernel (copy_file_range / reflink where the file system has it, like cp), then hashed from
   * the copy itself, so the address always names the bytes actually stored. `verify` runs on the
   * copy (the import re-reads the header there); if it throws, or the copy is not `expectedSize`
   * bytes, the temporary file is removed and nothing is kept. Nothing is under a store name yet:
   * `publish` gives the file its address, `discard` drops it.
   */
  async stage<T>(sourcePath: string, expectedSize: number, verify: (tmpPath: string) => T): Promise<StagedFile<T>> {
    const tmpPath = path.join(this.root, `${TMP_PREFIX}${randomBytes(12).toString('hex')}`);
    let handle: FileHandle | undefined;
    try {
      await fs.promises.copyFile(sourcePath, tmpPath, fs.constants.COPYFILE_EXCL);
      // copyFile keeps the source's mode: files from a CD are read-only, the store's are not.
      await fs.promises.chmod(tmpPath, 0o644);
      handle = await fs.promises.open(tmpPath, 'r+');
      const { size } = await handle.stat();
      if (size !== expectedSize) throw new AppError('DICOM_UNREADABLE', 'The file changed while it was being imported; nothing of it was kept.');
      const verified = verify(tmpPath);
      const sha256 = await hashHandle(handle, size);
      await handle.sync();
      await handle.close();
      handle = undefined;
      const storePath = `${sha256.slice(0, 2)}/${sha256}.dcm`;
      return { tmpPath, sha256, storePath, absolutePath: this.absolutePath(storePath), sizeBytes: size, verified };
    } catch (err) {
      await handle?.close().catch(() => undefined);
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
        if (!folders.has(folder) && (await fs.promises.mkdir(folder, { recursive: true }))) createdFolder = true;
        await fs.promises.rename(file.tmpPath, file.absolutePath);
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

async function hashHandle(handle: FileHandle, size: number): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(1, size)));
  let position = 0;
  while (position < size) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position);
    if (bytesRead === 0) throw new AppError('INTERNAL', 'The copy in the library store is shorter than it was a moment ago.');
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest('hex');
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
