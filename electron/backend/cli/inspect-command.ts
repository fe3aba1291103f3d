// `osteoplan inspect <file|folder>... [--json]` (issue 7): what the app would make of each file —
// header fields, the calibration decision (clinical-spec §4), whether the pixels decode and the md5
// of the decoded stored values (comparable with MANIFEST.md's Pixel md5) — through the same header
// reader, calibration rule and decoder the app uses. Nothing is imported.
import { decideCalibration } from '../../../shared/calibration/calibration';
import type { DicomHeader } from '../../../shared/dicom/header';
import type { Calibration } from '../../../shared/schemas/calibration';
import { AppError } from '../../../shared/ipc/result';
import { openPixelFile, pixelMd5 } from '../dicom/decode-pixels';
import { collectFiles } from '../dicom/import';
import { transferSyntaxName } from '../../../shared/dicom/transfer-syntax';

export interface CliIo {
  stdout(s: string): void;
  stderr(s: string): void;
}

export const INSPECT_USAGE = `Usage: osteoplan inspect <file|folder>... [--json] [--no-decode]

For each DICOM file (folders are walked): header fields, the calibration decision, whether the
pixels decode, and the md5 of the decoded stored values (native little endian, before LUTs).
  --json        one JSON document: { files: [...], summary: {...} }
  --no-decode   read headers only (fast)
Exit codes: 0 every file read, 1 some file unreadable or undecodable, 2 usage error.`;

export type DecodeStatus =
  | { status: 'decoded'; frames: number; pixelMd5: string }
  | { status: 'unsupported' | 'failed'; code: string; message: string }
  | { status: 'skipped' };

export type InspectedFile =
  | { path: string; ok: true; transferSyntaxName: string; header: DicomHeader; calibration: Calibration; decode: DecodeStatus }
  | { path: string; ok: false; error: { code: string; message: string } };

/** Inspects one file; never throws for a bad file (the error is in the result). */
export async function inspectFile(filePath: string, decode = true): Promise<InspectedFile> {
  let file;
  try {
    file = openPixelFile(filePath);
  } catch (err) {
    return { path: filePath, ok: false, error: errorOf(err) };
  }
  const header = file.info.header;
  let status: DecodeStatus = { status: 'skipped' };
  if (decode) {
    try {
      const { md5, frames } = await pixelMd5(file);
      status = { status: 'decoded', frames, pixelMd5: md5 };
    } catch (err) {
      const e = errorOf(err);
      status = { status: e.code === 'UNSUPPORTED_TRANSFER_SYNTAX' ? 'unsupported' : 'failed', ...e };
    }
  }
  return { path: filePath, ok: true, transferSyntaxName: transferSyntaxName(header.transferSyntaxUid), header, calibration: decideCalibration(header), decode: status };
}

function errorOf(err: unknown): { code: string; message: string } {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: (err as Error)?.message ?? String(err) };
}

function describe(r: InspectedFile): string {
  if (!r.ok) return `${r.path}\n  not read: ${r.error.code}: ${r.error.message}`;
  const h = r.header;
  const spacing = r.calibration.rowSpacingMm === null ? '' : ` ${r.calibration.rowSpacingMm} × ${r.calibration.columnSpacingMm} mm/px`;
  const decode =
    r.decode.status === 'decoded'
      ? `decoded ${r.decode.frames} frame(s), pixel md5 ${r.decode.pixelMd5}`
      : r.decode.status === 'skipped'
        ? 'not decoded (--no-decode)'
        : `${r.decode.status}: ${r.decode.message}`;
  return [
    r.path,
    `  patient ${h.patientName || '(no name)'} [${h.patientId || 'no ID'}], study ${h.studyDate ?? 'undated'} ${h.studyDescription ?? ''}`.trimEnd(),
    `  ${h.modality ?? 'no modality'} ${h.rows} × ${h.columns} × ${h.numberOfFrames} frame(s), ${h.bitsStored}/${h.bitsAllocated} bits${h.pixelRepresentation ? ' signed' : ''}, ${h.photometricInterpretation}`,
    `  ${r.transferSyntaxName} (${h.transferSyntaxUid})`,
    `  calibration: ${r.calibration.type}${spacing} — ${r.calibration.source}`,
    `  pixels: ${decode}`,
  ].join('\n');
}

export async function runInspectCommand(args: string[], io: CliIo): Promise<number> {
  const rest = args[0] === 'inspect' ? args.slice(1) : args;
  let json = false;
  let decode = true;
  const inputs: string[] = [];
  for (const a of rest) {
    if (a === '--json') json = true;
    else if (a === '--no-decode') decode = false;
    else if (a === '--help' || a === '-h') {
      io.stdout(`${INSPECT_USAGE}\n`);
      return 0;
    } else if (a.startsWith('--')) {
      io.stderr(`osteoplan inspect: unknown option ${a}.\n\n${INSPECT_USAGE}\n`);
      return 2;
    } else inputs.push(a);
  }
  if (inputs.length === 0) {
    io.stderr(`osteoplan inspect: give at least one file or folder.\n\n${INSPECT_USAGE}\n`);
    return 2;
  }
  const { files, skipped } = await collectFiles(inputs);
  const results: InspectedFile[] = skipped.map((s) => ({ path: s.path, ok: false, error: { code: s.code, message: s.reason } }));
  for (const f of files) {
    const r = await inspectFile(f.path, decode);
    results.push(r);
    if (!json) io.stdout(`${describe(r)}\n`);
  }
  const summary = {
    files: results.length,
    read: results.filter((r) => r.ok).length,
    unreadable: results.filter((r) => !r.ok).length,
    decoded: results.filter((r) => r.ok && r.decode.status === 'decoded').length,
    unsupported: results.filter((r) => r.ok && r.decode.status === 'unsupported').length,
    decodeFailed: results.filter((r) => r.ok && r.decode.status === 'failed').length,
  };
  if (json) io.stdout(`${JSON.stringify({ command: 'inspect', files: results, summary }, null, 2)}\n`);
  else {
    for (const r of results.filter((x) => !x.ok && skipped.some((s) => s.path === x.path))) io.stdout(`${describe(r)}\n`);
    io.stdout(`${summary.files} file(s): ${summary.read} read, ${summary.unreadable} unreadable; ${summary.decoded} decoded, ${summary.unsupported} unsupported, ${summary.decodeFailed} failed to decode\n`);
  }
  return summary.unreadable + summary.unsupported + summary.decodeFailed > 0 ? 1 : 0;
}
