import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/ipc/result';
import { dicomData, rewriteValues, testBackend, uidOfLength, type TestBackend } from './helpers';

const source = fs.readFileSync(path.join(dicomData, 'derived-local/RG2_from_JPLL_RLE.dcm'));
const UID_LENGTHS = { study: 44, series: 46, sop: 48 }; // the lengths of these elements in RG2

let t: TestBackend | undefined;
let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'osteoplan-handlers-'));
});
afterEach(() => {
  t?.dispose();
  t = undefined;
  fs.rmSync(work, { recursive: true, force: true });
});

/** A distinct instance of the RG2 hip film for another patient/study. */
function makeInstance(name: string, values: { patientName: string; patientId: string; studyUid: string; studyDate: string }) {
  const sop = uidOfLength(UID_LENGTHS.sop);
  const bytes = rewriteValues(source, {
    x00100010: values.patientName,
    x00100020: values.patientId,
    x0020000d: values.studyUid,
    x00080020: values.studyDate,
    x0020000e: uidOfLength(UID_LENGTHS.series),
    x00080018: sop,
    x00020003: sop,
  });
  const file = path.join(work, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('library handlers', () => {
  it('lists patients newest study first, searches name or ID without case or accents, and lists studies newest first', async () => {
    t = testBackend();
    const studyA = uidOfLength(UID_LENGTHS.study);
    const studyB = uidOfLength(UID_LENGTHS.study);
    const studyD = uidOfLength(UID_LENGTHS.study);
    const files = [
      makeInstance('a.dcm', { patientName: 'MÜLLER^JÖRG', patientId: 'P-001', studyUid: studyA, studyDate: '20230115' }),
      makeInstance('b.dcm', { patientName: 'MÜLLER^JÖRG', patientId: 'P-001', studyUid: studyB, studyDate: '20240301' }),
      makeInstance('d.dcm', { patientName: 'Doe^Jane', patientId: 'X-77', studyUid: studyD, studyDate: '20220101' }),
    ];
    const report = await t.value('import:paths', { paths: [work] });
    expect(report.imported.map((i) => i.path)).toEqual(files);

    const all = await t.value('library:listPatients', {});
    expect(all.map((p) => [p.name, p.patientId, p.studyCount, p.lastStudyDate])).toEqual([
      ['MÜLLER^JÖRG', 'P-001', 2, '20240301'],
      ['Doe^Jane', 'X-77', 1, '20220101'],
    ]);
    const names = async (search: string) => (await t!.value('library:listPatients', { search })).map((p) => p.name);
    expect(await names('muller')).toEqual(['MÜLLER^JÖRG']);
    expect(await names('jörg MÜLLER')).toEqual(['MÜLLER^JÖRG']);
    expect(await names('p-00')).toEqual(['MÜLLER^JÖRG']);
    expect(await names('DOE jane')).toEqual(['Doe^Jane']);
    expect(await names('x-77')).toEqual(['Doe^Jane']);
    expect(await names('%')).toEqual([]);
    expect(await names('smith')).toEqual([]);

    const muller = all[0]!;
    const detail = await t.value('library:getPatient', { patientId: muller.id });
    expect(detail.patient).toEqual(muller);
    expect(detail.studies.map((s) => [s.studyInstanceUid, s.studyDate])).toEqual([
      [studyB, '20240301'],
      [studyA, '20230115'],
    ]);
    expect(detail.studies[0]!.series[0]!.images[0]).toMatchObject({ rows: 2140, columns: 1760, modality: 'CR', transferSyntaxUid: '1.2.840.10008.1.2.5' });
  });

  it('unknown ids are NOT_FOUND; an image whose store file vanished is NOT_FOUND too; ids are never paths', async () => {
    t = testBackend();
    expect(await t.call('library:getPatient', { patientId: 999 })).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: expect.any(String) } });
    expect(await t.call('library:getImage', { imageId: 999 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(() => t!.backend.resolveImagePath(999)).toThrow(AppError);
    expect(await t.call('library:getImage', { imageId: '../etc/passwd' as unknown as number })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });

    const report = await t.value('import:paths', { paths: [makeInstance('a.dcm', { patientName: 'A^B', patientId: '1', studyUid: uidOfLength(44), studyDate: '20240101' })] });
    const file = t.backend.resolveImagePath(report.imported[0]!.imageId);
    expect(file.startsWith(path.join(t.dataDir, 'store') + path.sep)).toBe(true);
    fs.rmSync(file);
    let error: unknown;
    try {
      t.backend.resolveImagePath(report.imported[0]!.imageId);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/missing from the library store/) });
  });

  it('app:info, dialog:openPaths refused outside Electron, malformed requests refused', async () => {
    t = testBackend();
    expect(await t.value('app:info', {})).toEqual({ version: '0.1.0-test', mode: 'browser', dataDir: t.dataDir });
    expect(await t.call('dialog:openPaths', { kind: 'files' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await t.call('import:paths', { paths: [] })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

describe('import walking and cancel', () => {
  it('reports a missing path, ends symlink loops, and imports a file reached twice only once', async () => {
    t = testBackend();
    const file = makeInstance('a.dcm', { patientName: 'A^B', patientId: '1', studyUid: uidOfLength(44), studyDate: '20240101' });
    fs.mkdirSync(path.join(work, 'sub'));
    fs.symlinkSync(work, path.join(work, 'sub', 'loop'));
    fs.symlinkSync(file, path.join(work, 'sub', 'same-file.dcm'));
    fs.writeFileSync(path.join(work, 'notes.txt'), 'not an image');
    fs.chmodSync(file, 0o444); // read-only, as on a CD
    const missing = path.join(work, 'nope');
    const report = await t.value('import:paths', { paths: [work, file, missing] });
    expect(report.imported.map((i) => i.path)).toEqual([file]);
    // The store copy is writable by its owner whatever the source's mode (checked by mode: tests run as root).
    expect(fs.statSync(t.backend.resolveImagePath(report.imported[0]!.imageId)).mode & 0o777).toBe(0o644);
    expect(report.duplicates).toEqual([]);
    expect(report.skipped).toEqual([
      { path: missing, code: 'INVALID_INPUT', reason: 'No such file or folder.' },
      { path: path.join(work, 'notes.txt'), code: 'DICOM_UNREADABLE', reason: expect.stringMatching(/Not a DICOM file/) },
    ]);
  });

  it('cancel keeps the files completely imported before it and nothing of the rest', async () => {
    let stored = 0;
    let jobId = '';
    t = testBackend({
      importFaultHook: (stage) => {
        // Cancel while the second file is between copy and commit: it (and any other file already
        // started) still completes whole; no file is started after it.
        if (stage === 'after-store-write' && ++stored === 2) void t!.call('import:cancel', { jobId });
      },
    });
    const files = ['1', '2', '3', '4', '5', '6', '7', '8'].map((n) =>
      makeInstance(`${n}.dcm`, { patientName: `P^${n}`, patientId: n, studyUid: uidOfLength(44), studyDate: '20240101' }),
    );
    jobId = 'cancel-me';
    const report = await t.value('import:paths', { paths: files, jobId });
    expect(report.cancelled).toBe(true);
    const done = report.imported.length;
    expect(done).toBeGreaterThanOrEqual(2);
    expect(done).toBeLessThan(files.length);
    expect(report.imported.map((i) => i.path)).toEqual(files.slice(0, done));
    expect(report.skipped).toEqual([]);
    expect(t.storeFiles()).toHaveLength(done);
    expect(t.storeFiles().some((f) => f.startsWith('tmp-'))).toBe(false);
    expect((await t.value('library:listPatients', {})).length).toBe(done);
    for (const item of report.imported) expect(fs.existsSync(t.backend.resolveImagePath(item.imageId))).toBe(true);
    // The job is over: cancelling it again finds nothing.
    expect(await t.value('import:cancel', { jobId })).toEqual({ cancelled: false });
  });
});
