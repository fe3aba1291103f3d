// Node-side decoding (issue 7): every single-sample file of ../shared/data/MANIFEST.md with a
// lossless transfer syntax and a Pixel md5 decodes to exactly gdcm's stored values. The expected
// md5s are parsed from the MANIFEST tables, never copied into this test.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePixels, pixelMd5 } from '../../electron/backend/dicom/decode-pixels';
import { readDicomHeader } from '../../electron/backend/dicom/read-header';
import { AppError } from '../../shared/ipc/result';
import { dicomData, sharedData } from './helpers';

interface ManifestRow {
  file: string; // relative to dicom/
  transferSyntaxUid: string;
  bits: string;
  md5: string | null;
  dcmdump: string;
}

/** The per-folder tables of MANIFEST.md ("### folder/" then rows whose first cell is `file`). */
export function manifestRows(): ManifestRow[] {
  const text = fs.readFileSync(path.join(sharedData, 'MANIFEST.md'), 'utf8');
  const rows: ManifestRow[] = [];
  let folder: string | null = null;
  for (const line of text.split('\n')) {
    const heading = /^### (\S+)\/\s/.exec(line);
    if (heading) folder = heading[1]!;
    if (!folder || !line.startsWith('| `')) continue;
    const cells = line.split(' | ').map((c) => c.replace(/^\|\s*/, '').trim());
    const md5 = cells[12] ?? '';
    rows.push({
      file: `${folder}/${cells[0]!.replaceAll('`', '')}`,
      transferSyntaxUid: (cells[5] ?? '').split(' ')[0]!,
      bits: cells[7] ?? '',
      md5: /^[0-9a-f]{32}$/.test(md5) ? md5 : null,
      dcmdump: cells[11] ?? '',
    });
  }
  return rows;
}

const LOSSLESS = new Set([
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.1.99',
  '1.2.840.10008.1.2.2',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
  '1.2.840.10008.1.2.4.80',
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.5',
]);

const rows = manifestRows();
const losslessWithMd5 = rows.filter((r) => r.md5 && LOSSLESS.has(r.transferSyntaxUid) && fs.existsSync(path.join(dicomData, r.file)));

/** Files the header reader refuses (the malformed set): their md5 cannot be reached through our reader. */
function readable(file: string): boolean {
  try {
    readDicomHeader(file);
    return true;
  } catch {
    return false;
  }
}

describe('decodePixels against the MANIFEST Pixel md5 (gdcm)', () => {
  it('parses the MANIFEST: all 303 files, and a lossless set that covers every lossless syntax', () => {
    expect(rows).toHaveLength(303);
    expect(new Set(losslessWithMd5.map((r) => r.transferSyntaxUid))).toEqual(LOSSLESS);
    expect(losslessWithMd5.length).toBeGreaterThan(80);
  });

  const cases = losslessWithMd5.filter((r) => readable(path.join(dicomData, r.file)));
  it.each(cases.map((r) => [r.file, r]))('%s', async (_name, row) => {
    const { md5 } = await pixelMd5(path.join(dicomData, row.file));
    expect(md5).toBe(row.md5);
  });

  it('gives every lossless syntax of the real hip radiograph RG2 the same pixels', async () => {
    const files = fs.readdirSync(path.join(dicomData, 'derived-local')).filter((f) => f.startsWith('RG2_from_JPLL_') && !/Baseline|JLSN|J2KI/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of [...files.map((x) => `derived-local/${x}`), 'nema-wg04/RG2_JPLL.dcm', 'nema-wg04/RG2_JLSL.dcm', 'derived-local/CD_WG04_RG/IMAGES/RG2J2KR']) {
      expect({ f, md5: (await pixelMd5(path.join(dicomData, f))).md5 }).toEqual({ f, md5: '06900ee4323a91b7f5ffab8655e3c845' });
    }
  });
});

describe('decodePixels frames and refusals', () => {
  it('decodes one frame of a multi-frame file (frame selector) and refuses a frame that is not there', async () => {
    const file = path.join(dicomData, 'dicomparser/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_lossless.70.dcm');
    const [first, second] = [await decodePixels(file, 0), await decodePixels(file, 1)];
    expect(first.bytes.length).toBe(512 * 512 * 2);
    expect(Buffer.from(first.bytes).equals(Buffer.from(second.bytes))).toBe(false);
    // The same frame from the uncompressed copy of this CT.
    const native = await decodePixels(path.join(dicomData, 'dicomparser/encapsulated/multi-frame/CT0012.explicit_little_endian.dcm'), 1);
    expect(Buffer.from(second.bytes).equals(Buffer.from(native.bytes))).toBe(true);
    await expect(decodePixels(file, 2)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'Frame 2 does not exist: the image has 2 frame(s).' });
  });

  it('decodes a lossy JPEG baseline and JPEG 2000 radiograph to full-size frames close to gdcm', async () => {
    const baseline = await decodePixels(path.join(dicomData, 'derived-local/RG2_from_JPLL_JPEGBaseline8.dcm'));
    expect(baseline.bytes.length).toBe(2140 * 1760);
    const j2k = await decodePixels(path.join(dicomData, 'nema-wg04/RG1_J2KI.dcm'));
    expect(j2k.bytes.length).toBe(j2k.rows * j2k.columns * 2);
  });

  it.each([
    ['dcm4che/will-jxl.dcm', /JPEG XL JPEG Recompression \(1\.2\.840\.10008\.1\.2\.4\.111\)/],
    ['cornerstone-wado-image-loader/CTImage.dcm_JPEGProcess6_8TransferSyntax_1.2.840.10008.1.2.4.53.dcm', /JPEG Spectral Selection \(retired\)/],
    ['cornerstone-wado-image-loader/CTImage.dcm_JPEGProcess10_12TransferSyntax_1.2.840.10008.1.2.4.55.dcm', /JPEG Full Progression \(retired\)/],
  ])('refuses %s as an unsupported transfer syntax, naming it', async (file, message) => {
    const err = await decodePixels(path.join(dicomData, file)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'UNSUPPORTED_TRANSFER_SYNTAX', message: expect.stringMatching(message) });
  });
});
