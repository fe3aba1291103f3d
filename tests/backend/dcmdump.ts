// Reference reading of DICOM tags with dcmtk's dcmdump (architecture.md §6; -dc: values as stored,
// without dcmtk's automatic corrections such as removing spaces from UIDs). The header reader is
// checked against an independent parser, never against values copied into the test.
import { execFileSync, spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import type { DicomHeader } from '../../shared/dicom/header';

/** dcmdump's listing of one file with its warnings and exit status, for tests of what a writer produced. */
export function dcmdump(file: string, ...options: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync('dcmdump', [...options, file], { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** dcmdump's listing of a file it reads without a single warning (the test fails otherwise). */
export function dcmdumpClean(file: string, ...options: string[]): string {
  const r = dcmdump(file, ...options);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/** Expects every line in a dcmdump listing: a string as dcmdump prints it, a RegExp where the line has parts that vary. */
export function expectDumpLines(listing: string, lines: readonly (string | RegExp)[]): void {
  for (const line of lines) {
    if (typeof line === 'string') expect(listing).toContain(line);
    else expect(listing).toMatch(line);
  }
}

export interface DumpedElement {
  vr: string;
  /** The printed value: text inside [...] or the bare numbers; null for "(no value available)". */
  value: string | null;
}

/** Top-level elements (meta group included) of one file, keyed "gggg,eeee" in lower case. */
export function dcmdumpTopLevel(file: string): Map<string, DumpedElement> {
  const out = execFileSync('dcmdump', ['-M', '+L', '-Un', '+U8', '-dc', file], { encoding: 'utf8', timeout: 30_000, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  const elements = new Map<string, DumpedElement>();
  for (const line of out.split('\n')) {
    // Nested sequence content is indented; only column-0 lines are top-level elements.
    const m = /^\(([0-9a-f]{4}),([0-9a-f]{4})\) (\S\S) (.*?)\s+#\s*(?:\d+|u\/l), \d+ \S+$/.exec(line);
    if (!m) continue;
    const raw = m[4]!;
    let value: string | null;
    if (raw === '(no value available)') value = null;
    else if (raw.startsWith('[') && raw.endsWith(']')) value = raw.slice(1, -1);
    else if (m[3] === 'UN' && /^[0-9a-f]{2}(\\[0-9a-f]{2})*$/.test(raw)) {
      // An element stored as UN (CP-246) is printed as hex bytes: decode them to the text they hold.
      value = String.fromCharCode(...raw.split('\\').map((h) => parseInt(h, 16)));
    } else value = raw;
    const key = `${m[1]},${m[2]}`;
    if (!elements.has(key)) elements.set(key, { vr: m[3]!, value });
  }
  return elements;
}

/** What a DicomHeader must hold for a file, derived only from dcmdump's output. */
export function expectedHeaderFromDcmdump(file: string): DicomHeader {
  const el = dcmdumpTopLevel(file);
  const text = (tag: string): string | null => {
    const v = el.get(tag)?.value ?? null;
    if (v === null) return null;
    const trimmed = v.replace(/[\0 ]+$/, '').trim();
    return trimmed === '' ? null : trimmed;
  };
  const numbers = (tag: string): number[] | null => {
    const v = text(tag);
    return v === null ? null : v.split('\\').map((s) => (s.trim() === '' ? Number.NaN : Number(s.trim())));
  };
  const first = (tag: string): number | null => {
    const n = numbers(tag);
    return n && Number.isFinite(n[0]) ? n[0]! : null;
  };
  const required = (tag: string): string => {
    const v = text(tag);
    if (v === null) throw new Error(`dcmdump shows no ${tag} in ${file}`);
    return v;
  };
  const bitsAllocated = Number(required('0028,0100'));
  const seriesNumber = first('0020,0011');
  return {
    patientId: text('0010,0020') ?? '',
    patientName: text('0010,0010') ?? '',
    patientBirthDate: text('0010,0030'),
    patientSex: text('0010,0040'),
    studyInstanceUid: required('0020,000d'),
    studyDate: text('0008,0020'),
    studyTime: text('0008,0030'),
    studyDescription: text('0008,1030'),
    accessionNumber: text('0008,0050'),
    seriesInstanceUid: required('0020,000e'),
    seriesNumber: seriesNumber !== null && Number.isInteger(seriesNumber) ? seriesNumber : null,
    modality: text('0008,0060'),
    bodyPartExamined: text('0018,0015'),
    laterality: text('0020,0060') ?? text('0020,0062'),
    viewPosition: text('0018,5101'),
    sopClassUid: text('0008,0016') ?? '',
    sopInstanceUid: required('0008,0018'),
    transferSyntaxUid: required('0002,0010'),
    rows: Number(required('0028,0010')),
    columns: Number(required('0028,0011')),
    bitsAllocated,
    bitsStored: first('0028,0101') ?? bitsAllocated,
    pixelRepresentation: first('0028,0103') ?? 0,
    photometricInterpretation: required('0028,0004'),
    samplesPerPixel: first('0028,0002') ?? 1,
    numberOfFrames: first('0028,0008') ?? 1,
    pixelSpacing: numbers('0028,0030'),
    imagerPixelSpacing: numbers('0018,1164'),
    estimatedRadiographicMagnificationFactor: first('0018,1114'),
    pixelSpacingCalibrationType: text('0028,0a02'),
    patientOrientation: text('0020,0020')?.split('\\') ?? null,
    windowCenter: numbers('0028,1050') ?? [],
    windowWidth: numbers('0028,1051') ?? [],
    rescaleSlope: first('0028,1053'),
    rescaleIntercept: first('0028,1052'),
  };
}
