// demo:load: the first-start demo patient is generated, imported through the normal import with
// progress, marked pre-op, and loading it again finds the same film instead of a second copy.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { DEMO_PATIENT, DEMO_UIDS } from '../../electron/backend/phantom/long-leg-film';
import { dcmdumpTopLevel } from './dcmdump';
import { testBackend, type TestBackend } from './helpers';

let t: TestBackend | undefined;
afterEach(() => {
  t?.dispose();
  t = undefined;
});

it('imports one DX film of the demo patient with the phantom header, pre-op, leaves no temp files, and a second load is a duplicate', async () => {
  t = testBackend();
  const report = await t.value('demo:load', {});
  expect(report.skipped).toEqual([]);
  expect(report.duplicates).toEqual([]);
  expect(report.imported).toHaveLength(1);
  const { imageId, patientId, sopInstanceUid } = report.imported[0]!;
  expect(sopInstanceUid).toBe(DEMO_UIDS.sopInstanceUid);
  expect(fs.readdirSync(path.join(t.dataDir, 'staging'))).toEqual([]);

  // Progress reached the UI under the report's job id, ending with the one file done.
  const progress = t.events.filter((e) => e.jobId === report.jobId);
  expect(progress.length).toBeGreaterThanOrEqual(2);
  expect(progress.at(-1)).toMatchObject({ filesDone: 1, filesTotal: 1 });

  const detail = await t.value('library:getImage', { imageId });
  expect(detail.image.modality).toBe('DX');
  expect(detail.header.imagerPixelSpacing).toEqual([0.15, 0.15]);
  expect(detail.header.estimatedRadiographicMagnificationFactor).toBe(1.1);
  expect(detail.header.pixelSpacing).toBeNull();
  expect(detail.patient).toMatchObject({ name: DEMO_PATIENT.name, patientId: DEMO_PATIENT.id });
  expect(detail.study).toMatchObject({ studyInstanceUid: DEMO_UIDS.studyInstanceUid, role: 'pre-op', operationDate: null, description: 'Pre-op standing long-leg AP' });

  // The stored file says the same to dcmtk.
  const dump = dcmdumpTopLevel(t.backend.resolveImagePath(imageId));
  expect(dump.get('0018,1164')!.value!.trim()).toBe('0.15\\0.15');
  expect(Number(dump.get('0018,1114')!.value)).toBe(1.1);
  expect(dump.get('0008,0018')!.value!.replace(/\0$/, '')).toBe(DEMO_UIDS.sopInstanceUid);
  expect(dump.get('0008,0060')!.value!.trim()).toBe('DX');

  // The user's later choice survives a second load, which adds nothing.
  await t.value('study:setClinical', { studyId: detail.study.id, role: 'planning', operationDate: '2024-07-01' });
  const again = await t.value('demo:load', {});
  expect(again.imported).toEqual([]);
  expect(again.duplicates).toEqual([{ path: expect.any(String) as unknown, sopInstanceUid: DEMO_UIDS.sopInstanceUid, imageId }]);
  expect(await t.value('library:listPatients', {})).toHaveLength(1);
  expect((await t.value('library:getPatient', { patientId })).studies.map((s) => [s.role, s.operationDate])).toEqual([['planning', '2024-07-01']]);
  expect(t.storeFiles()).toHaveLength(1);
  expect(fs.readdirSync(path.join(t.dataDir, 'staging'))).toEqual([]);
}, 120_000);

it('two loads at once give one film: the second waits and reports the duplicate', async () => {
  t = testBackend();
  const [a, b] = await Promise.all([t.value('demo:load', {}), t.value('demo:load', {})]);
  expect(a.imported).toHaveLength(1);
  expect(b.imported).toEqual([]);
  expect(b.duplicates.map((d) => d.imageId)).toEqual([a.imported[0]!.imageId]);
  expect(t.storeFiles()).toHaveLength(1);
}, 120_000);
