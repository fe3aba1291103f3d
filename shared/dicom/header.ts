// Plain header fields read from a DICOM file before its pixel data (issue 2 §5). Values are as
// stored in the file, parsed to numbers where the VR is numeric; validation (for example a
// PixelSpacing of 0\0) belongs to calibration (clinical-spec §4), not to the reader.

export interface DicomHeader {
  // Patient
  patientId: string;
  patientName: string;
  patientBirthDate: string | null; // YYYYMMDD as stored
  patientSex: string | null;
  // Study
  studyInstanceUid: string;
  studyDate: string | null; // YYYYMMDD
  studyTime: string | null; // HHMMSS.frac
  studyDescription: string | null;
  accessionNumber: string | null;
  // Series
  seriesInstanceUid: string;
  seriesNumber: number | null;
  modality: string | null;
  bodyPartExamined: string | null;
  laterality: string | null; // (0020,0060), or Image Laterality (0020,0062) when absent
  viewPosition: string | null;
  // Instance
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  photometricInterpretation: string;
  samplesPerPixel: number;
  numberOfFrames: number;
  // Spacing and geometry (clinical-spec §1, §4). Arrays keep every stored value (VM errors stay visible).
  pixelSpacing: number[] | null; // (0028,0030) row spacing first
  imagerPixelSpacing: number[] | null; // (0018,1164)
  estimatedRadiographicMagnificationFactor: number | null; // (0018,1114)
  pixelSpacingCalibrationType: string | null; // (0028,0A02)
  patientOrientation: string[] | null; // (0020,0020)
  // Display
  windowCenter: number[];
  windowWidth: number[];
  rescaleSlope: number | null;
  rescaleIntercept: number | null;
}
