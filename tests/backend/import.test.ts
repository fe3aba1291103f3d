import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImportReport } from '../../shared/ipc/contract';
import { expectedHeaderFromDcmdump } from './dcmdump';
import { dicomData, filesUnder, sha256File, testBackend, type TestBackend } from './helpers';

let t: TestBackend | undefined;
afterEach(() => {
  t?.dispose();
  t = undefined;
});

const nema = path.join(dicomData, 'nema-wg04');
const derived = path.join(dicomData, 'derived-local');

function everyPathOnce(report: ImportReport, files: string[]) {
  const reported = [...report.imported.map((i) => i.path), ...report.duplicates.map((d) => d.path), ...report.skipped.map((s) => s.path)];
  expect([...reported].sort()).toEqual([...files].sort());
}

describe('import of the radiograph sets (nema-wg04 and derived-local, CD folder included)', () => {
  it('imports each SOP instance once, with headers equal to dcmdump, bytes unchanged, progress to the end; a second import is all duplicates', async () => {
    t = testBackend();
    const files = [...filesUnder(nema), ...filesUnder(derived)];
    const dicomdir = path.join(derived, 'CD_WG04_RG/DICOMDIR');
    const images = files.filter((f) => f !== dicomdir);
    const sopOf = new Map(images.map((f) => [f, expectedHeaderFromDcmdump(f).sopInstanceUid]));

    const report = await t.value('import:paths', { paths: [nema, derived], jobId: 'first' });
    expect(report.jobId).toBe('first');
    expect(report.cancelled).toBe(false);
    everyPathOnce(report, files);

    // The DICOMDIR is reported, not imported.
    expect(report.skipped).toEqual([{ path: dicomdir, code: 'DICOM_UNREADABLE', reason: expect.stringMatching(/DICOMDIR .*not an image/) }]);

    // Several files are the same instance in other transfer syntaxes: each SOP Instance UID once.
    const distinct = new Set(sopOf.values());
    expect(report.imported.map((i) => i.sopInstanceUid).sort()).toEqual([...distinct].sort());
    const imageIdOfSop = new Map(report.imported.map((i) => [i.sopInstanceUid, i.imageId]));
    for (const d of report.duplicates) {
      expect(d.sopInstanceUid).toBe(sopOf.get(d.path));
      expect(d.imageId).toBe(imageIdOfSop.get(d.sopInstanceUid));
    }

    for (const item of report.imported) {
      const detail = await t.value('library:getImage', { imageId: item.imageId });
      const expected = expectedHeaderFromDcmdump(item.path);
      expect(detail.header).toEqual(expected);
      expect(detail.image).toEqual({
        id: item.imageId,
        sopInstanceUid: expected.sopInstanceUid,
        rows: expected.rows,
        columns: expected.columns,
        numberOfFrames: expected.numberOfFrames,
        modality: expected.modality,
        photometricInterpretation: expected.photometricInterpretation,
        transferSyntaxUid: expected.transferSyntaxUid,
      });
      expect(detail.patient.id).toBe(item.patientId);
      expect(detail.patient.patientId).toBe(expected.patientId);
      expect(detail.study.studyInstanceUid).toBe(expected.studyInstanceUid);
      // The store holds the very bytes of the file, under their sha256.
      const stored = t.backend.resolveImagePath(item.imageId);
      const sha = sha256File(item.path);
      expect(path.basename(stored)).toBe(`${sha}.dcm`);
      expect(sha256File(stored)).toBe(sha);
    }

    const patients = await t.value('library:listPatients', {});
    const expectedPatients = new Set(report.imported.map((i) => {
      const h = expectedHeaderFromDcmdump(i.path);
      return `${h.patientId}|${h.patientName}`;
    }));
    expect(patients.map((p) => `${p.patientId}|${p.name}`).sort()).toEqual([...expectedPatients].sort());

    // Progress: monotonic, for this job, ending at every file and byte counted.
    const bytesTotal = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
    expect(t.events.length).toBeGreaterThanOrEqual(2);
    expect(t.events.every((e) => e.jobId === 'first' && e.filesTotal === files.length && e.bytesTotal === bytesTotal)).toBe(true);
    for (let i = 1; i < t.events.length; i++) {
      expect(t.events[i]!.filesDone).toBeGreaterThanOrEqual(t.events[i - 1]!.filesDone);
      expect(t.events[i]!.bytesDone).toBeGreaterThanOrEqual(t.events[i - 1]!.bytesDone);
    }
    expect(t.events.at(-1)).toMatchObject({ filesDone: files.length, bytesDone: bytesTotal, currentPath: null });

    const storeBefore = t.storeFiles();
    expect(storeBefore).toHaveLength(distinct.size);
    const patientsBefore = await t.value('library:listPatients', {});

    const second = await t.value('import:paths', { paths: [nema, derived] });
    everyPathOnce(second, files);
    expect(second.imported).toEqual([]);
    expect(second.duplicates.map((d) => d.path).sort()).toEqual([...images].sort());
    expect(second.skipped.map((s) => s.path)).toEqual([dicomdir]);
    expect(t.storeFiles()).toEqual(storeBefore);
    expect(await t.value('library:listPatients', {})).toEqual(patientsBefore);
  });

  it('a DICOMDIR chosen on its own imports the images it lists', async () => {
    t = testBackend();
    const report = await t.value('import:paths', { paths: [path.join(derived, 'CD_WG04_RG/DICOMDIR')] });
    expect(report.imported.map((i) => path.relative(derived, i.path)).sort()).toEqual(['CD_WG04_RG/IMAGES/RG1J2KI', 'CD_WG04_RG/IMAGES/RG2J2KR', 'CD_WG04_RG/IMAGES/RG3J2KR']);
    expect(report.skipped).toEqual([]);
  });
});

describe('malformed files (MANIFEST.md: FAIL / MALFORMED / TRUNCATED)', () => {
  // Files whose header or pixel data cannot be trusted: reported with a reason, nothing kept.
  const refused: [string, RegExp][] = [
    ['pydicom/MR_truncated.dcm', /truncated: Pixel Data declares 8192 bytes/],
    ['pydicom/rtplan_truncated.dcm', /truncated or malformed/],
    ['pydicom/no_meta.dcm', /Not a DICOM file/],
    ['pydicom/meta_missing_tsyntax.dcm', /no Transfer Syntax UID/],
    ['pydicom/badVR.dcm', /Number of Frames/],
    ['pydicom-data/emri_small_jpeg_2k_lossless_too_short.dcm', /truncated/],
    ['fo-dicom/GH1339.dcm', /truncated/],
    ['fo-dicom/GH179B.dcm', /truncated or malformed/],
    ['fo-dicom/GH626.dcm', /truncated or malformed/],
    ['fo-dicom/FreezePattern.dcm', /Missing SOP Instance UID/],
    ['fo-dicom/GH220.dcm', /Missing SOP Instance UID|no Pixel Data/],
    ['fo-dicom/GH487.dcm', /Missing SOP Instance UID|no Pixel Data/],
    ['orthanc-tests/2026-05-26-oob-monochrome-46341.dcm', /not a plausible image/],
    ['orthanc-tests/2026-05-26-oob-monochrome-65535.dcm', /not a plausible image/],
    ['orthanc-tests/2026-05-06-Deeply-Nested-Sequence.dcm', /nests sequences too deeply/],
    ['orthanc-tests/2020-09-12-ELSCINT1-PMSCT_RLE1.dcm', /no Pixel Data/],
    ['dcm4che/3gb-bulk-data-truncated', /not a plausible image/],
    ['dcm4che/no_preamble_dicm_in_data', /Missing SOP Instance UID/],
    ['dcm4che/Tag-0040-A170-VR-CS.dcm', /no Pixel Data/],
    ['dwv/dwv-test_no-number-rows.dcm', /Missing Rows/],
  ];
  // Damaged only where the viewer or calibration deals with it (codestream, spacing VM, group
  // length): the header and the pixel data framing are sound, so they are imported.
  const tolerated = [
    'pydicom/JPEG2000-embedded-sequence-delimiter.dcm',
    'pydicom-data/bad_sequence.dcm',
    'fo-dicom/GH364.dcm',
    'dwv/gdcm-CT-MONO2-8-abdo.dcm',
    'pylibjpeg-data/JPEGLossless_1s_1f_i_16_16_bad.dcm',
    'pylibjpeg-data/966_DX_chest_J2KR_badCOM.dcm',
    'pylibjpeg-data/TOSHIBA_J2K_SIZ0_PixRep1.dcm',
    'pylibjpeg-data/TOSHIBA_J2K_SIZ1_PixRep0.dcm',
  ];

  it('refused files are reported with their reason and leave the database and the store unchanged', async () => {
    t = testBackend();
    await t.value('import:paths', { paths: [path.join(nema, 'RG3_J2KR.dcm')] });
    const patientsBefore = await t.value('library:listPatients', {});
    const storeBefore = t.storeFiles();

    const paths = refused.map(([f]) => path.join(dicomData, f));
    const report = await t.value('import:paths', { paths });
    expect(report.imported).toEqual([]);
    expect(report.duplicates).toEqual([]);
    expect(report.skipped.map((s) => s.path)).toEqual(paths);
    for (const [i, [, reason]] of refused.entries()) {
      expect(report.skipped[i]!.code).toBe('DICOM_UNREADABLE');
      expect(report.skipped[i]!.reason).toMatch(reason);
    }
    expect(await t.value('library:listPatients', {})).toEqual(patientsBefore);
    expect(t.storeFiles()).toEqual(storeBefore);
  });

  it('files damaged only in their codestream or spacing are imported whole', async () => {
    t = testBackend();
    const paths = tolerated.map((f) => path.join(dicomData, f));
    const report = await t.value('import:paths', { paths });
    expect(report.skipped).toEqual([]);
    // The two TOSHIBA files are one SOP instance with different pixel representations.
    expect(report.imported.map((i) => i.path)).toEqual(paths.filter((p) => !p.endsWith('TOSHIBA_J2K_SIZ1_PixRep0.dcm')));
    expect(report.duplicates.map((d) => d.path)).toEqual(paths.filter((p) => p.endsWith('TOSHIBA_J2K_SIZ1_PixRep0.dcm')));
    const abdo = report.imported.find((i) => i.path.endsWith('gdcm-CT-MONO2-8-abdo.dcm'))!;
    expect((await t.value('library:getImage', { imageId: abdo.imageId })).header.pixelSpacing).toEqual([0.2, 0, 0.2]);
  });

  it('images the viewer cannot decode are refused as UNSUPPORTED_TRANSFER_SYNTAX', async () => {
    t = testBackend();
    const paths = [
      'dcm4che/will-jxl.dcm',
      'cornerstone-wado-image-loader/CTImage.dcm_JPEGProcess10_12TransferSyntax_1.2.840.10008.1.2.4.55.dcm',
      'pydicom-data/liver_deflate.dcm',
    ].map((f) => path.join(dicomData, f));
    const report = await t.value('import:paths', { paths });
    expect(report.skipped.map((s) => s.code)).toEqual(['UNSUPPORTED_TRANSFER_SYNTAX', 'UNSUPPORTED_TRANSFER_SYNTAX', 'UNSUPPORTED_TRANSFER_SYNTAX']);
    expect(report.skipped[0]!.reason).toMatch(/JPEG XL .*1\.2\.840\.10008\.1\.2\.4\.111/);
    expect(t.storeFiles()).toEqual([]);
  });
});
