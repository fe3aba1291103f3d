// `osteoplan import <file|folder>... [--data-dir <dir>] [--json]` (issue 7): the app's own import
// (import:paths through the handler table, so the same checks, store and report) from a terminal,
// into the default library or another data dir.
import { randomUUID } from 'node:crypto';
import { openBackend } from '../backend';
import { dispatch } from '../dispatch';
import { defaultDataDir } from '../paths';
import type { ImportReport } from '../../../shared/ipc/contract';
import type { CliIo } from './inspect-command';

export const IMPORT_USAGE = `Usage: osteoplan import <file|folder|DICOMDIR>... [--data-dir <dir>] [--json]

Imports DICOM files into the library, exactly as the app's "Import" does, and prints the report.
  --data-dir <dir>  the library folder (default: OSTEOPLAN_DATA_DIR, else the app's own data folder)
  --json            print the report as JSON
Exit codes: 0 nothing skipped, 1 some file skipped or the import failed, 2 usage error.`;

export async function runImportCommand(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const rest = args[0] === 'import' ? args.slice(1) : args;
  let dataDir: string | null = null;
  let json = false;
  const paths: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--json') json = true;
    else if (a === '--data-dir') {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) {
        io.stderr(`osteoplan import: --data-dir needs a folder.\n\n${IMPORT_USAGE}\n`);
        return 2;
      }
      dataDir = v;
    } else if (a === '--help' || a === '-h') {
      io.stdout(`${IMPORT_USAGE}\n`);
      return 0;
    } else if (a.startsWith('--')) {
      io.stderr(`osteoplan import: unknown option ${a}.\n\n${IMPORT_USAGE}\n`);
      return 2;
    } else paths.push(a);
  }
  if (paths.length === 0) {
    io.stderr(`osteoplan import: give at least one file or folder.\n\n${IMPORT_USAGE}\n`);
    return 2;
  }
  const backend = openBackend({ dataDir: dataDir ?? defaultDataDir(env), mode: 'browser' });
  try {
    let lastLine = 0;
    const context = {
      emit: (_event: string, p: unknown) => {
        const progress = p as { filesDone: number; filesTotal: number };
        if (json || Date.now() - lastLine < 1000) return;
        lastLine = Date.now();
        io.stderr(`${progress.filesDone}/${progress.filesTotal} files\n`);
      },
    };
    const result = await dispatch(backend.handlers, 'import:paths', { paths, jobId: randomUUID() }, context);
    if (!result.ok) {
      io.stderr(`osteoplan import: ${result.error.code}: ${result.error.message}\n`);
      return 1;
    }
    const report = result.value as ImportReport;
    if (json) io.stdout(`${JSON.stringify({ command: 'import', dataDir: backend.dataDir, report }, null, 2)}\n`);
    else {
      const lines = [
        `Library: ${backend.dataDir}`,
        `${report.imported.length} imported, ${report.duplicates.length} already in the library, ${report.skipped.length} skipped`,
        ...report.skipped.map((s) => `  skipped ${s.path}: ${s.code}: ${s.reason}`),
      ];
      io.stdout(`${lines.join('\n')}\n`);
    }
    return report.skipped.length ? 1 : 0;
  } finally {
    backend.close();
  }
}
