// Reads a DICOMDIR (PS3.10 §8, PS3.3 F.3) into the patients, studies, series and referenced files a
// CD holds, so the user can choose what to import before anything is copied. Records are linked by
// byte offsets from the start of the file; we follow those links and fall back to the record order
// when a writer left them out (pydicom's DICOMDIR-nooffset).
import dicomParser from 'dicom-parser';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/ipc/result';

const MAX_DICOMDIR_BYTES = 64 * 1024 * 1024;

export interface MediaInstance {
  recordType: string; // IMAGE, RT DOSE, SR DOCUMENT ...
  referencedFileId: string[]; // path components as stored
  path: string | null; // resolved on disk; null when missing
  sopInstanceUid: string | null;
  sopClassUid: string | null;
  transferSyntaxUid: string | null;
  instanceNumber: number | null;
}

export interface MediaSeries {
  seriesInstanceUid: string | null;
  modality: string | null;
  seriesNumber: number | null;
  instances: MediaInstance[];
}

export interface MediaStudy {
  studyInstanceUid: string | null;
  studyDate: string | null;
  studyTime: string | null;
  description: string | null;
  accessionNumber: string | null;
  series: MediaSeries[];
}

export interface MediaPatient {
  patientId: string | null;
  name: string | null;
  birthDate: string | null;
  sex: string | null;
  studies: MediaStudy[];
}

export interface MediaDirectory {
  dicomdirPath: string;
  root: string;
  fileSetId: string | null;
  patients: MediaPatient[];
  /** Referenced files that are not on the medium, as stored (components joined with '/'). */
  missing: string[];
  warnings: string[];
}

interface RawRecord {
  offset: number; // of the item tag, from the start of the file
  type: string;
  next: number;
  lower: number;
  inUse: boolean;
  data: dicomParser.DataSet;
  children: RawRecord[];
}

const str = (ds: dicomParser.DataSet, tag: string): string | null => {
  const v = ds.string(tag);
  return v === undefined || v === '' ? null : v;
};
const int = (ds: dicomParser.DataSet, tag: string): number | null => {
  const v = ds.intString(tag);
  return v === undefined || !Number.isFinite(v) ? null : v;
};

/** Finds an entry of `dir` whose name matches `name` case-insensitively (ISO 9660 media are upper case, ";1" version suffixes included). */
function matchEntry(dir: string, name: string, cache: Map<string, string[]>): string | null {
  let entries = cache.get(dir);
  if (!entries) {
    try {
      entries = readdirSync(dir);
    } catch {
      entries = [];
    }
    cache.set(dir, entries);
  }
  if (entries.includes(name)) return name;
  const want = name.toLowerCase();
  const strip = (n: string) => n.toLowerCase().replace(/;\d+$/, '').replace(/\.$/, '');
  return entries.find((e) => e.toLowerCase() === want) ?? entries.find((e) => strip(e) === strip(name)) ?? null;
}

function resolveReferencedFile(root: string, components: string[], cache: Map<string, string[]>): string | null {
  let current = root;
  for (const raw of components) {
    const part = raw.trim();
    if (part === '' || part === '.' || part === '..' || part.includes('/') || part.includes('\0')) return null;
    const found = matchEntry(current, part, cache);
    if (!found) return null;
    current = path.join(current, found);
  }
  try {
    return statSync(current).isFile() ? current : null;
  } catch {
    return null;
  }
}

/** Reads and parses a DICOMDIR file; throws AppError DICOM_UNREADABLE with the reason. */
export function readDicomDir(dicomdirPath: string): MediaDirectory {
  let size: number;
  try {
    size = statSync(dicomdirPath).size;
  } catch (err) {
    throw new AppError('NOT_FOUND', `The DICOMDIR ${dicomdirPath} cannot be read: ${(err as Error).message}`);
  }
  if (size > MAX_DICOMDIR_BYTES) throw new AppError('DICOM_UNREADABLE', `${dicomdirPath} is ${size} bytes, too large for a DICOMDIR.`);
  const bytes = new Uint8Array(readFileSync(dicomdirPath));
  let ds: dicomParser.DataSet;
  try {
    ds = dicomParser.parseDicom(bytes);
  } catch (err) {
    const reason = typeof err === 'string' ? err : ((err as { exception?: string; message?: string }).exception ?? (err as Error).message);
    throw new AppError('DICOM_UNREADABLE', `${path.basename(dicomdirPath)} is not a readable DICOMDIR: ${reason}`);
  }
  const sequence = ds.elements['x00041220'];
  if (!sequence) {
    const sopClass = ds.string('x00020002');
    if (sopClass !== '1.2.840.10008.1.3.10') {
      throw new AppError('DICOM_UNREADABLE', `${path.basename(dicomdirPath)} is a DICOM file but not a DICOMDIR (it has no directory records).`);
    }
  }

  const warnings: string[] = [];
  const records: RawRecord[] = (sequence?.items ?? []).flatMap((item) => {
    if (!item.dataSet) return [];
    const data = item.dataSet;
    return [
      {
        offset: item.dataOffset - 8,
        type: (data.string('x00041430') ?? '').toUpperCase(),
        next: data.uint32('x00041400') ?? 0,
        lower: data.uint32('x00041420') ?? 0,
        inUse: (data.uint16('x00041410') ?? 0xffff) !== 0,
        data,
        children: [],
      },
    ];
  });

  const byOffset = new Map(records.map((r) => [r.offset, r]));
  const hasLinks = records.some((r) => r.next || r.lower) || byOffset.has(ds.uint32('x00041200') ?? 0);
  const roots = hasLinks ? linkByOffsets(records, byOffset, ds.uint32('x00041200') ?? 0, warnings) : nestByOrder(records);
  if (!hasLinks && records.length) warnings.push('The DICOMDIR has no record offsets; its records were read in file order.');

  const root = path.dirname(dicomdirPath);
  const cache = new Map<string, string[]>();
  const missing: string[] = [];
  const instance = (r: RawRecord): MediaInstance | null => {
    const ids = r.data.string('x00041500');
    if (ids === undefined) return null;
    const components = (r.data.elements['x00041500'] ? readMultiString(r.data, 'x00041500') : []).filter((c) => c !== '');
    const resolved = components.length ? resolveReferencedFile(root, components, cache) : null;
    if (!resolved) missing.push(components.join('/'));
    return {
      recordType: r.type,
      referencedFileId: components,
      path: resolved,
      sopInstanceUid: str(r.data, 'x00041511'),
      sopClassUid: str(r.data, 'x00041510'),
      transferSyntaxUid: str(r.data, 'x00041512'),
      instanceNumber: int(r.data, 'x00200013'),
    };
  };
  const series = (r: RawRecord): MediaSeries => ({
    seriesInstanceUid: str(r.data, 'x0020000e'),
    modality: str(r.data, 'x00080060'),
    seriesNumber: int(r.data, 'x00200011'),
    instances: r.children.filter((c) => c.inUse).flatMap((c) => instance(c) ?? []),
  });
  const study = (r: RawRecord): MediaStudy => ({
    studyInstanceUid: str(r.data, 'x0020000d'),
    studyDate: str(r.data, 'x00080020'),
    studyTime: str(r.data, 'x00080030'),
    description: str(r.data, 'x00081030'),
    accessionNumber: str(r.data, 'x00080050'),
    series: r.children.filter((c) => c.inUse && c.type === 'SERIES').map(series),
  });
  const patient = (r: RawRecord): MediaPatient => ({
    patientId: str(r.data, 'x00100020'),
    name: str(r.data, 'x00100010'),
    birthDate: str(r.data, 'x00100030'),
    sex: str(r.data, 'x00100040'),
    studies: r.children.filter((c) => c.inUse && c.type === 'STUDY').map(study),
  });

  const liveRoots = roots.filter((r) => r.inUse);
  const patients = liveRoots.filter((r) => r.type === 'PATIENT').map(patient);
  // Some writers (pydicom's DICOMDIR-nopatient) start at STUDY level: keep those studies under an unnamed patient.
  // Others (pydicom's DICOMDIR-nopatient) hang studies under PRIVATE records: hoist those studies.
  const orphanStudies = [
    ...liveRoots.filter((r) => r.type === 'STUDY'),
    ...liveRoots.filter((r) => r.type !== 'PATIENT' && r.type !== 'STUDY').flatMap((r) => r.children.filter((c) => c.inUse && c.type === 'STUDY')),
  ];
  if (orphanStudies.length) patients.push({ patientId: null, name: null, birthDate: null, sex: null, studies: orphanStudies.map(study) });

  return { dicomdirPath, root, fileSetId: str(ds, 'x00041130'), patients, missing, warnings };
}

function readMultiString(ds: dicomParser.DataSet, tag: string): string[] {
  const n = ds.numStringValues(tag) ?? 0;
  const out: string[] = [];
  for (let i = 0; i < n; i += 1) out.push(ds.string(tag, i) ?? '');
  return out;
}

/**
 * Follows the next/lower offsets. Records that no lower-level link reaches and that are not in the
 * root chain become roots too, so a DICOMDIR whose root pointer is wrong (pydicom's
 * DICOMDIR-nopatient) still shows its studies.
 */
function linkByOffsets(records: RawRecord[], byOffset: Map<number, RawRecord>, rootFirst: number, warnings: string[]): RawRecord[] {
  const placed = new Set<RawRecord>();
  const chain = (offset: number): RawRecord[] => {
    const out: RawRecord[] = [];
    let at = offset;
    while (at) {
      const record = byOffset.get(at);
      if (!record) {
        warnings.push(`A directory record points to offset ${at}, where there is no record.`);
        break;
      }
      if (placed.has(record)) break; // a loop or a record linked twice
      placed.add(record);
      out.push(record);
      at = record.next;
    }
    return out;
  };
  // Lower-level links first: a root pointer that wrongly names an image must not steal it from its series.
  for (const record of records) if (record.lower) record.children = chain(record.lower);
  const rootChain = chain(rootFirst);
  const extra = records.filter((r) => !placed.has(r) && (r.type === 'PATIENT' || r.type === 'STUDY' || r.children.length > 0));
  const unlinked = records.filter((r) => !placed.has(r)).length - extra.length;
  if (unlinked > 0) warnings.push(`${unlinked} directory record(s) are not linked from any patient or study and were ignored.`);
  return [...rootChain, ...extra];
}

const LEVEL: Record<string, number> = { PATIENT: 0, STUDY: 1, SERIES: 2 };

/** Rebuilds the hierarchy from record order: each record belongs to the nearest preceding record one level up. */
function nestByOrder(records: RawRecord[]): RawRecord[] {
  const roots: RawRecord[] = [];
  const open: (RawRecord | undefined)[] = [];
  for (const r of records) {
    const level = LEVEL[r.type] ?? 3;
    open.length = level;
    const parent = level > 0 ? open[level - 1] : undefined;
    if (parent) parent.children.push(r);
    else if (level <= 1) roots.push(r);
    if (level < 3) open[level] = r;
  }
  return roots;
}

/** Finds a DICOMDIR at the root of a folder (any case), for "point at a CD root". */
export function findDicomDir(folder: string): string | null {
  const name = matchEntry(folder, 'DICOMDIR', new Map());
  if (!name) return null;
  const full = path.join(folder, name);
  return existsSync(full) && statSync(full).isFile() ? full : null;
}

/** Every file the directory references and that exists, in directory order. */
export function referencedFiles(media: MediaDirectory): string[] {
  return media.patients.flatMap((p) => p.studies.flatMap((s) => s.series.flatMap((se) => se.instances.flatMap((i) => (i.path ? [i.path] : [])))));
}
