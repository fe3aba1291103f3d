import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { declaredPixelBytes, inspectDicom, readDicomHeader } from '../../electron/backend/dicom/read-header';
import { AppError } from '../../shared/ipc/result';
import { dcmdumpTopLevel, expectedHeaderFromDcmdump } from './dcmdump';

const data = path.resolve(__dirname, '../../../shared/data');
const dicom = path.join(data, 'dicom');

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []))
    .sort();
}

function unreadableReason(input: string | Uint8Array): string {
  try {
    readDicomHeader(input);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('DICOM_UNREADABLE');
    return (err as AppError).message;
  }
  throw new Error('expected the header reader to refuse the file');
}

const radiographSets = [...filesUnder(path.join(dicom, 'nema-wg04')), ...filesUnder(path.join(dicom, 'derived-local'))].filter(
  (f) => path.basename(f) !== 'DICOMDIR',
);

describe('readDicomHeader against dcmdump', () => {
  it.each(radiographSets.map((f) => [path.relative(dicom, f), f]))('%s: every header field equals dcmdump', (_name, file) => {
    expect(readDicomHeader(file)).toEqual(expectedHeaderFromDcmdump(file));
  });

  it('reads the same header from bytes as from the path', () => {
    for (const file of radiographSets) expect(readDicomHeader(fs.readFileSync(file))).toEqual(readDicomHeader(file));
  });

  it('agrees with dcmdump on every other readable image of the test data', () => {
    let compared = 0;
    for (const file of filesUnder(dicom)) {
      if (radiographSets.includes(file)) continue;
      let header;
      try {
        header = readDicomHeader(file);
      } catch {
        continue; // refusals are asserted one by one below and in the import tests
      }
      let dump: Map<string, unknown>;
      try {
        dump = dcmdumpTopLevel(file);
      } catch {
        continue; // dcmdump cannot read it: nothing to compare with
      }
      if (!dump.has('0002,0010')) {
        // No meta: dcmdump infers the encoding too; compare everything but the transfer syntax.
        continue;
      }
      expect({ file, header }).toEqual({ file, header: expectedHeaderFromDcmdump(file) });
      compared += 1;
    }
    expect(compared).toBeGreaterThan(100);
  });
});

describe('files dicom-parser cannot read alone', () => {
  it('reads a dataset with no preamble and no meta (implicit VR LE inferred)', () => {
    const file = path.join(dicom, 'fo-dicom/CR-MONO1-10-chest');
    const info = inspectDicom(file);
    expect(info.inferredTransferSyntax).toBe(true);
    expect(info.header.transferSyntaxUid).toBe('1.2.840.10008.1.2');
    const reference = expectedHeaderFromDcmdumpWithoutMeta(file);
    expect({ ...info.header, transferSyntaxUid: '' }).toEqual({ ...reference, transferSyntaxUid: '' });
    // The same pixels as the Part-10 copy of this chest film.
    const withMeta = readDicomHeader(path.join(dicom, 'dwv/gdcm-CR-MONO1-10-chest.dcm'));
    expect(info.header.sopInstanceUid).toBe(withMeta.sopInstanceUid);
    expect(info.pixelData.length).toBe(declaredPixelBytes(info.header));
  });

  it('reads explicit VR big endian without meta far enough to see it is not an image', () => {
    expect(unreadableReason(path.join(dicom, 'pydicom/ExplVR_BigEndNoMeta.dcm'))).toMatch(/no Pixel Data/);
  });

  it('is not fooled by "DICM" inside a raw dataset at byte 128', () => {
    const reason = unreadableReason(path.join(dicom, 'dcm4che/no_preamble_dicm_in_data'));
    // It was read as the raw explicit LE dataset it is (dcmdump -f shows no SOP Instance UID).
    expect(reason).toMatch(/Missing SOP Instance UID/);
  });

  it('inflates a deflated dataset and finds its pixel data inside the inflated bytes', () => {
    const info = inspectDicom(path.join(dicom, 'derived-local/RG2_from_JPLL_deflated.dcm'));
    expect(info.pixelData.length).toBe(2140 * 1760 * 2);
    expect(info.pixelData.offset).toBeGreaterThan(fs.statSync(path.join(dicom, 'derived-local/RG2_from_JPLL_deflated.dcm')).size - 2140 * 1760 * 2);
  });

  it('ends the meta group at its group length when a second meta group sits in the dataset', () => {
    const header = readDicomHeader(path.join(dicom, 'fo-dicom/GH1376.dcm'));
    expect(header.transferSyntaxUid).toBe('1.2.840.10008.1.2.4.70');
    expect(header.estimatedRadiographicMagnificationFactor).toBeCloseTo(1.073, 6);
  });

  it('keeps a malformed PixelSpacing with all its values so calibration can refuse it', () => {
    expect(readDicomHeader(path.join(dicom, 'dwv/gdcm-CT-MONO2-8-abdo.dcm')).pixelSpacing).toEqual([0.2, 0, 0.2]);
  });

  it('keeps a file with no Modality, with modality null', () => {
    expect(readDicomHeader(path.join(dicom, 'orthanc-tests/MultiframeWindowing.dcm')).modality).toBeNull();
  });
});

describe('refusals name the reason', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osteoplan-header-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it.each([
    ['pydicom/MR_truncated.dcm', /truncated: Pixel Data declares 8192 bytes but only 8130 follow/],
    ['pydicom-data/emri_small_jpeg_2k_lossless_too_short.dcm', /truncated/],
    ['fo-dicom/GH1339.dcm', /truncated/],
    ['dcm4che/3gb-bulk-data-truncated', /32768 × 32768 .* not a plausible image/],
    ['orthanc-tests/2026-05-26-oob-monochrome-46341.dcm', /46341 × 46341 .* not a plausible image/],
    ['orthanc-tests/2026-05-26-oob-monochrome-65535.dcm', /65535 × 65535 .* not a plausible image/],
    ['dwv/dwv-test_no-number-rows.dcm', /Missing Rows \(0028,0010\)/],
    ['pydicom/badVR.dcm', /Number of Frames .* "1A"/],
    ['pydicom/no_meta.dcm', /Not a DICOM file/],
    ['pydicom/meta_missing_tsyntax.dcm', /no Transfer Syntax UID/],
    ['pydicom/rtplan_truncated.dcm', /truncated or malformed/],
    ['fo-dicom/GH626.dcm', /truncated or malformed/],
    ['fo-dicom/GH179B.dcm', /truncated or malformed/],
    ['orthanc-tests/2026-05-06-Deeply-Nested-Sequence.dcm', /nests sequences too deeply/],
    ['cornerstone-wado-image-loader/no-pixel-data.dcm', /Not an image: the file has no Pixel Data/],
    ['orthanc-tests/Issue111.dcm', /Missing SOP Instance UID|no Pixel Data/],
    ['derived-local/CD_WG04_RG/DICOMDIR', /DICOMDIR .* not an image/],
    ['xray/radoss-creative-commons/331_DDH_1.jpg', /Not a DICOM file/],
  ])('%s', (relative, reason) => {
    const file = relative.startsWith('xray/') ? path.join(data, relative) : path.join(dicom, relative);
    expect(unreadableReason(file)).toMatch(reason);
  });

  it('refuses a truncated copy of a real radiograph, not only the public fuzz files', () => {
    const source = fs.readFileSync(path.join(dicom, 'derived-local/RG2_from_JPLL_EVRLE.dcm'));
    const cut = path.join(tmp, 'cut.dcm');
    fs.writeFileSync(cut, source.subarray(0, source.length - 1000));
    expect(unreadableReason(cut)).toMatch(/truncated: Pixel Data declares 7532800 bytes but only 7531800 follow/);
    const jpeg = fs.readFileSync(path.join(dicom, 'nema-wg04/RG2_JPLL.dcm'));
    expect(unreadableReason(jpeg.subarray(0, jpeg.length - 10))).toMatch(/truncated/);
  });

  it('refuses a huge file that is not DICOM after reading only its start', () => {
    const big = path.join(tmp, 'zeros.bin');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 3 * 1024 ** 3); // sparse: costs no disk
    expect(unreadableReason(big)).toMatch(/Not a DICOM file/);
  });

  it('refuses an empty file and a few bytes of text', () => {
    expect(unreadableReason(new Uint8Array(0))).toMatch(/Not a DICOM file: it holds only 0 bytes/);
    expect(unreadableReason(new TextEncoder().encode('hello, this is not an X-ray image at all'))).toMatch(/Not a DICOM file/);
  });
});

/** dcmdump output for a file without meta: the transfer syntax line is absent, the rest is the same. */
function expectedHeaderFromDcmdumpWithoutMeta(file: string) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osteoplan-nometa-'));
  try {
    // dcmconv adds the meta group dcmdump's reference reading needs; the dataset is unchanged.
    const withMeta = path.join(tmp, 'with-meta.dcm');
    execFileSync('dcmconv', ['+fo', '-f', '+ti', file, withMeta], { timeout: 30_000, stdio: 'ignore' });
    return expectedHeaderFromDcmdump(withMeta);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
