import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { findDicomDir, readDicomDir, referencedFiles } from '../../electron/backend/dicom/dicomdir';

const data = path.resolve(__dirname, '../../../shared/data/dicom');

describe('readDicomDir', () => {
  it('reads the radiograph CD built with dcmmkdir: three patients, each file found', () => {
    const media = readDicomDir(path.join(data, 'derived-local/CD_WG04_RG/DICOMDIR'));
    expect(media.fileSetId).toBe('DCMTK_MEDIA_DEMO');
    expect(media.patients.map((p) => p.patientId).sort()).toEqual(['10RG2', '11RG3', '9RG1']);
    const rg1 = media.patients.find((p) => p.patientId === '9RG1')!;
    expect(rg1.name).toBe('CompressedSamples^RG1');
    expect(rg1.birthDate).toBe('19400305');
    expect(rg1.studies[0]!.studyInstanceUid).toBe('1.3.6.1.4.1.5962.1.2.9.20040826185059.5457');
    expect(rg1.studies[0]!.description).toBe('THORAX');
    expect(rg1.studies[0]!.series[0]!.modality).toBe('CR');
    const files = referencedFiles(media).map((f) => path.relative(media.root, f)).sort();
    expect(files).toEqual(['IMAGES/RG1J2KI', 'IMAGES/RG2J2KR', 'IMAGES/RG3J2KR']);
    expect(rg1.studies[0]!.series[0]!.instances[0]!.transferSyntaxUid).toBe('1.2.840.10008.1.2.4.91');
    expect(media.missing).toEqual([]);
  });

  it('reads the pydicom CD tree and resolves every referenced file', () => {
    const media = readDicomDir(path.join(data, 'pydicom/dicomdirtests/DICOMDIR'));
    expect(media.patients.map((p) => p.patientId).sort()).toEqual(['77654033', '98890234']);
    const files = referencedFiles(media);
    expect(files.length).toBe(31);
    expect(media.missing).toEqual([]);
  });

  it.each(['DICOMDIR-implicit', 'DICOMDIR-bigEnd', 'DICOMDIR-reordered'])('reads the %s variant to the same files', (name) => {
    const reference = referencedFiles(readDicomDir(path.join(data, 'pydicom/dicomdirtests/DICOMDIR'))).sort();
    const media = readDicomDir(path.join(data, 'pydicom/dicomdirtests', name));
    expect(referencedFiles(media).sort()).toEqual(reference);
  });

  it('explains a DICOMDIR whose records overrun their sequence (DICOMDIR-nooffset)', () => {
    expect(() => readDicomDir(path.join(data, 'pydicom/dicomdirtests/DICOMDIR-nooffset'))).toThrow(/DICOMDIR-nooffset is not a readable DICOMDIR/);
  });

  it('keeps studies of a DICOMDIR without patient records', () => {
    const media = readDicomDir(path.join(data, 'pydicom/dicomdirtests/DICOMDIR-nopatient'));
    // Its patient records were turned into PRIVATE records; the studies below them must survive.
    expect(media.patients).toHaveLength(1);
    expect(media.patients[0]!.patientId).toBeNull();
    expect(media.patients[0]!.studies.length).toBe(6);
    expect(referencedFiles(media).length).toBe(31);
  });

  it('reports referenced files that are missing from the medium', () => {
    const media = readDicomDir(path.join(data, 'fo-dicom/DICOMDIR'));
    expect(referencedFiles(media)).toEqual([]);
    expect(media.missing.length).toBeGreaterThan(0);
    expect(media.missing[0]).toMatch(/^IMAGES\//);
  });

  it('refuses a DICOM file that is not a DICOMDIR, and a non-DICOM file', () => {
    expect(() => readDicomDir(path.join(data, 'derived-local/RG2_from_JPLL_EVRLE.dcm'))).toThrow(/not a DICOMDIR/);
    expect(() => readDicomDir(path.join(data, '../MANIFEST.md'))).toThrow(/not a readable DICOMDIR/);
  });

  it('finds the DICOMDIR at a CD root whatever its case', () => {
    expect(findDicomDir(path.join(data, 'derived-local/CD_WG04_RG'))).toBe(path.join(data, 'derived-local/CD_WG04_RG/DICOMDIR'));
    expect(findDicomDir(path.join(data, 'nema-wg04'))).toBeNull();
  });
});
