import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temporary data dir; remove() deletes it. */
export function tempDataDir(prefix = 'osteoplan-db-'): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export const sharedData = path.resolve(__dirname, '../../../shared/data');
