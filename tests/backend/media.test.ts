// media:read and media:import (issue 7) through dispatch, on real CD trees from ../shared/data.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readDicomDir, referencedFiles } from '../../electron/backend/dicom/dicomdir';
import { readDicomHeader } from '../../electron/backend/dicom/read-header';
import { dicomData, sha256File, testBackend, type TestBackend } from './helpers';

const wg04 = path.join(dicomData, 'derived-local/CD_WG04_RG');
const pydicomCd = path.join(dicomData, 'pydicom/dicomdirtests');
const RG2_STUDY = readDicomHeader(path.join(wg04, 'IMAGES/RG2J2KR')).studyInstanceUid;
const RG3_STUDY = readDicomHeader(path.join(wg04, 'IMAGES/RG3J2KR')).studyInstanceUid;

let t: TestBackend | undefined;
let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'osteoplan-media-'));
});
afterEach(() => {
  t?.dispose();
  t = undefined;
  fs.rmSync(work, { recursive: true, force: true });
});

describe('media:read', () => {
  it('lists the patients, studies and series of a CD root without importing anything', async () => {
    t = testBackend();
    const summary = await t.value('media:read', { path: wg04 });
    expect(summary.dicomdirPath).toBe(path.join(wg04, 'DICOMDIR'));
    expect(summary.fileSetId).toBe('DCMTK_MEDIA_DEMO');
    expect(summary.patients.map((p) => p.patientId).sort()).toEqual(['10RG2', '11RG3', '9RG1']);
    const rg2 = summary.patients.find((p) => p.patientId === '10RG2')!;
    expect(rg2.studies).toHaveLength(1);
    expect(rg2.studies[0]).toMatchObject({ studyInstanceUid: RG2_STUDY, alreadyImported: 0 });
    expect(rg2.studies[0]!.series).toEqual([
      expect.objectContaining({ modality: 'CR', instanceCount: 1, missingCount: 0, seriesInstanceUid: readDicomHeader(path.join(wg04, 'IMAGES/RG2J2KR')).seriesInstanceUid }),
    ]);
    expect(summary.missing).toEqual([]);
    expect(t.storeFiles()).toEqual([]);
    expect(await t.value('library:listPatients', {})).toEqual([]);
    // The DICOMDIR file itself gives the same summary.
    expect(await t.value('media:read', { path: path.join(wg04, 'DICOMDIR') })).toEqual(summary);
  });

  it('counts instances already in the library by SOP Instance UID', async () => {
    t = testBackend();
    await t.value('import:paths', { paths: [path.join(wg04, 'IMAGES/RG3J2KR')] });
    const summary = await t.value('media:read', { path: wg04 });
    const byStudy = new Map(summary.patients.flatMap((p) => p.studies.map((s) => [s.studyInstanceUid, s.alreadyImported])));
    expect(byStudy.get(RG3_STUDY)).toBe(1);
    expect(byStudy.get(RG2_STUDY)).toBe(0);
  });

  it('reads the pydicom CD tree: two patients, every study with its series', async () => {
    t = testBackend();
    const summary = await t.value('media:read', { path: pydicomCd });
    expect(summary.patients.map((p) => p.patientId).sort()).toEqual(['77654033', '98890234']);
    const instances = summary.patients.flatMap((p) => p.studies.flatMap((s) => s.series.map((se) => se.instanceCount)));
    expect(instances.reduce((a, b) => a + b, 0)).toBe(31);
    expect(summary.patients.flatMap((p) => p.studies.flatMap((s) => s.series.map((se) => se.missingCount)))).not.toContain(1);
  });

  it('sends a folder without a DICOMDIR to "Import folder"', async () => {
    t = testBackend();
    fs.copyFileSync(path.join(wg04, 'IMAGES/RG2J2KR'), path.join(work, 'RG2'));
    const result = await t.call('media:read', { path: work });
    expect(result).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/no DICOMDIR in .*Use "Import folder" instead/) } });
  });

  it('names a path that does not exist and a file that is not a DICOMDIR', async () => {
    t = testBackend();
    expect(await t.call('media:read', { path: path.join(work, 'ejected') })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await t.call('media:read', { path: path.join(wg04, 'IMAGES/RG2J2KR') })).toMatchObject({
      ok: false,
      error: { code: 'DICOM_UNREADABLE', message: expect.stringMatching(/not a DICOMDIR/) },
    });
  });

  it('reports referenced files missing from the medium per series and by file ID', async () => {
    t = testBackend();
    const cd = copyCd(wg04, work);
    fs.rmSync(path.join(cd, 'IMAGES/RG3J2KR'));
    const summary = await t.value('media:read', { path: cd });
    expect(summary.missing).toEqual(['IMAGES/RG3J2KR']);
    const rg3 = summary.patients.find((p) => p.patientId === '11RG3')!;
    expect(rg3.studies[0]!.series[0]).toMatchObject({ instanceCount: 1, missingCount: 1 });
  });
});

describe('media:import', () => {
  it('imports only the chosen study, byte for byte, with progress events', async () => {
    t = testBackend();
    const report = await t.value('media:import', { dicomdirPath: path.join(wg04, 'DICOMDIR'), studyInstanceUids: [RG2_STUDY], jobId: 'cd-1' });
    expect(report.jobId).toBe('cd-1');
    expect(report.imported.map((i) => i.path)).toEqual([path.join(wg04, 'IMAGES/RG2J2KR')]);
    expect(report.skipped).toEqual([]);
    expect(report.cancelled).toBe(false);
    expect(sha256File(t.backend.resolveImagePath(report.imported[0]!.imageId))).toBe(sha256File(path.join(wg04, 'IMAGES/RG2J2KR')));
    const patients = await t.value('library:listPatients', {});
    expect(patients.map((p) => p.patientId)).toEqual(['10RG2']);
    expect(t.events.at(-1)).toMatchObject({ jobId: 'cd-1', filesDone: 1, filesTotal: 1 });
    // Read again: the study now counts as imported; importing it again gives a duplicate.
    const again = await t.value('media:read', { path: wg04 });
    expect(again.patients.find((p) => p.patientId === '10RG2')!.studies[0]!.alreadyImported).toBe(1);
    const second = await t.value('media:import', { dicomdirPath: wg04, studyInstanceUids: [RG2_STUDY] });
    expect(second.imported).toEqual([]);
    expect(second.duplicates).toEqual([{ path: path.join(wg04, 'IMAGES/RG2J2KR'), sopInstanceUid: report.imported[0]!.sopInstanceUid, imageId: report.imported[0]!.imageId }]);
  });

  it('imports every study of the pydicom CD: each listed instance lands once, under its SOP Instance UID', async () => {
    t = testBackend();
    const media = readDicomDir(path.join(pydicomCd, 'DICOMDIR'));
    const studies = media.patients.flatMap((p) => p.studies.map((s) => s.studyInstanceUid!));
    const report = await t.value('media:import', { dicomdirPath: pydicomCd, studyInstanceUids: studies });
    const listed = media.patients.flatMap((p) => p.studies.flatMap((s) => s.series.flatMap((se) => se.instances.map((i) => i.sopInstanceUid))));
    expect(report.skipped).toEqual([]);
    expect(report.imported.map((i) => i.sopInstanceUid).sort()).toEqual([...listed].sort());
    expect(report.imported.map((i) => i.path)).toEqual(referencedFiles(media));
    expect(t.storeFiles()).toHaveLength(listed.length);
    const patients = await t.value('library:listPatients', {});
    expect(patients.map((p) => p.patientId).sort()).toEqual(['77654033', '98890234']);
  });

  it('reports each missing referenced file and imports the rest', async () => {
    t = testBackend();
    const cd = copyCd(wg04, work);
    fs.rmSync(path.join(cd, 'IMAGES/RG3J2KR'));
    const report = await t.value('media:import', { dicomdirPath: cd, studyInstanceUids: [RG2_STUDY, RG3_STUDY] });
    expect(report.imported.map((i) => path.basename(i.path))).toEqual(['RG2J2KR']);
    expect(report.skipped).toEqual([
      { path: path.join(cd, 'IMAGES', 'RG3J2KR'), code: 'INVALID_INPUT', reason: 'listed in the DICOMDIR but missing from the medium: IMAGES/RG3J2KR' },
    ]);
  });

  it('refuses a study the DICOMDIR does not list, before importing anything', async () => {
    t = testBackend();
    const result = await t.call('media:import', { dicomdirPath: wg04, studyInstanceUids: [RG2_STUDY, '1.2.3.4'] });
    expect(result).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/The study 1\.2\.3\.4 is not listed in .*DICOMDIR/) } });
    expect(t.storeFiles()).toEqual([]);
  });

  it('cancel through import:cancel keeps whole files and nothing partial', async () => {
    let stored = 0;
    t = testBackend({
      importFaultHook: (stage) => {
        if (stage === 'after-store-write' && ++stored === 2) void t!.call('import:cancel', { jobId: 'cd-cancel' });
      },
    });
    const media = readDicomDir(path.join(pydicomCd, 'DICOMDIR'));
    const studies = media.patients.flatMap((p) => p.studies.map((s) => s.studyInstanceUid!));
    const report = await t.value('media:import', { dicomdirPath: pydicomCd, studyInstanceUids: studies, jobId: 'cd-cancel' });
    expect(report.cancelled).toBe(true);
    const done = report.imported.length;
    expect(done).toBeGreaterThanOrEqual(2);
    expect(done).toBeLessThan(31);
    expect(report.imported.map((i) => i.path)).toEqual(referencedFiles(media).slice(0, done));
    expect(t.storeFiles()).toHaveLength(done);
    expect(t.storeFiles().some((f) => f.startsWith('tmp-'))).toBe(false);
  });
});

function copyCd(from: string, into: string): string {
  const cd = path.join(into, 'cd');
  fs.cpSync(from, cd, { recursive: true });
  return cd;
}
