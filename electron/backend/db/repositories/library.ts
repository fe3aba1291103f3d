// Patients, studies, series and images: the only SQL the import and the library screens use.
// Parameterised statements only; the one write (imported images with their parents) is a single
// transaction so a failure leaves nothing half inserted.
import type { DicomHeader } from '../../../../shared/dicom/header';
import type { ImageDetail, ImageSummary, PatientDetail, PatientSummary, SeriesDetail, StudyDetail, StudyRole } from '../../../../shared/ipc/contract';
import { AppError } from '../../../../shared/ipc/result';
import type { Db } from '../connection';

export interface NewImage {
  header: DicomHeader;
  storePath: string;
  sha256: string;
  sizeBytes: number;
  sourcePath: string | null;
}

export interface LibraryCounts {
  patients: number;
  studies: number;
  series: number;
  images: number;
}

/** Case- and accent-insensitive form used for search; DICOM's '^' name separator becomes a space. */
export function foldForSearch(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\^/g, ' ');
}

interface PatientRow {
  id: number;
  dicom_patient_id: string;
  name: string;
  birth_date: string | null;
  sex: string | null;
  study_count: number;
  last_study_date: string | null;
}

interface StudyRow {
  id: number;
  study_instance_uid: string;
  study_date: string | null;
  study_time: string | null;
  description: string | null;
  accession_number: string | null;
  role: StudyRole | null;
  operation_date: string | null;
}

interface SeriesRow {
  id: number;
  study_id: number;
  series_instance_uid: string;
  series_number: number | null;
  modality: string | null;
  body_part_examined: string | null;
  laterality: string | null;
  view_position: string | null;
}

interface ImageRow {
  id: number;
  series_id: number;
  sop_instance_uid: string;
  rows: number;
  columns: number;
  number_of_frames: number;
  modality: string | null;
  photometric_interpretation: string;
  transfer_syntax_uid: string;
}

const PATIENT_SUMMARY_SQL = `
  SELECT p.id, p.dicom_patient_id, p.name, p.birth_date, p.sex,
         COUNT(s.id) AS study_count, MAX(s.study_date) AS last_study_date
  FROM patients p LEFT JOIN studies s ON s.patient_id = p.id`;

const toPatientSummary = (r: PatientRow): PatientSummary => ({
  id: r.id,
  patientId: r.dicom_patient_id,
  name: r.name,
  birthDate: r.birth_date,
  sex: r.sex,
  studyCount: r.study_count,
  lastStudyDate: r.last_study_date,
});

const toStudy = (r: StudyRow): Omit<StudyDetail, 'series'> => ({
  id: r.id,
  studyInstanceUid: r.study_instance_uid,
  studyDate: r.study_date,
  studyTime: r.study_time,
  description: r.description,
  accessionNumber: r.accession_number,
  role: r.role,
  operationDate: r.operation_date,
});

const toImageSummary = (r: ImageRow): ImageSummary => ({
  id: r.id,
  sopInstanceUid: r.sop_instance_uid,
  rows: r.rows,
  columns: r.columns,
  numberOfFrames: r.number_of_frames,
  modality: r.modality,
  photometricInterpretation: r.photometric_interpretation,
  transferSyntaxUid: r.transfer_syntax_uid,
});

// JSON has no NaN: unparseable DS values are stored as null and come back as NaN, so a VM error
// in the file stays visible as a non-finite number instead of vanishing.
const NUMBER_ARRAYS = ['pixelSpacing', 'imagerPixelSpacing', 'windowCenter', 'windowWidth'] as const;
export function headerFromJson(json: string): DicomHeader {
  const header = JSON.parse(json) as DicomHeader;
  for (const key of NUMBER_ARRAYS) {
    const values = header[key] as (number | null)[] | null;
    if (values) (header as unknown as Record<string, unknown>)[key] = values.map((v) => (v === null ? Number.NaN : v));
  }
  return header;
}

/** YYYY-MM-DD naming a day that exists (2024-02-30 does not). */
function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

export class LibraryRepository {
  private readonly statements;

  constructor(private readonly db: Db) {
    db.function('osteoplan_fold', { deterministic: true }, (text: unknown) => (typeof text === 'string' ? foldForSearch(text) : ''));
    this.statements = {
      imageBySop: db.prepare(`SELECT id, series_id FROM images WHERE sop_instance_uid = ?`),
      shaReferenced: db.prepare(`SELECT 1 FROM images WHERE sha256 = ? LIMIT 1`),
      upsertPatient: db.prepare(`
        INSERT INTO patients (dicom_patient_id, name, birth_date, sex, created_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (dicom_patient_id, name) DO UPDATE SET
          birth_date = COALESCE(patients.birth_date, excluded.birth_date),
          sex = COALESCE(patients.sex, excluded.sex)
        RETURNING id`),
      upsertStudy: db.prepare(`
        INSERT INTO studies (patient_id, study_instance_uid, study_date, study_time, description, accession_number) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (study_instance_uid) DO UPDATE SET
          study_date = COALESCE(studies.study_date, excluded.study_date),
          study_time = COALESCE(studies.study_time, excluded.study_time),
          description = COALESCE(studies.description, excluded.description),
          accession_number = COALESCE(studies.accession_number, excluded.accession_number)
        RETURNING id, patient_id`),
      upsertSeries: db.prepare(`
        INSERT INTO series (study_id, series_instance_uid, series_number, modality, body_part_examined, laterality, view_position) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (series_instance_uid) DO UPDATE SET
          series_number = COALESCE(series.series_number, excluded.series_number),
          modality = COALESCE(series.modality, excluded.modality),
          body_part_examined = COALESCE(series.body_part_examined, excluded.body_part_examined),
          laterality = COALESCE(series.laterality, excluded.laterality),
          view_position = COALESCE(series.view_position, excluded.view_position)
        RETURNING id`),
      insertImage: db.prepare(`
        INSERT INTO images (series_id, sop_instance_uid, sop_class_uid, transfer_syntax_uid, rows, columns, number_of_frames,
                            photometric_interpretation, modality, store_path, sha256, size_bytes, header_json, source_path, imported_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      patientById: db.prepare(`${PATIENT_SUMMARY_SQL} WHERE p.id = ? GROUP BY p.id`),
      studiesOfPatient: db.prepare(`
        SELECT id, study_instance_uid, study_date, study_time, description, accession_number, role, operation_date FROM studies
        WHERE patient_id = ? ORDER BY study_date IS NULL, study_date DESC, study_time IS NULL, study_time DESC, id DESC`),
      seriesOfPatient: db.prepare(`
        SELECT se.* FROM series se JOIN studies st ON st.id = se.study_id WHERE st.patient_id = ?
        ORDER BY se.series_number IS NULL, se.series_number, se.id`),
      imagesOfPatient: db.prepare(`
        SELECT i.id, i.series_id, i.sop_instance_uid, i.rows, i.columns, i.number_of_frames, i.modality, i.photometric_interpretation, i.transfer_syntax_uid
        FROM images i JOIN series se ON se.id = i.series_id JOIN studies st ON st.id = se.study_id
        WHERE st.patient_id = ? ORDER BY i.id`),
      imageDetail: db.prepare(`
        SELECT i.id, i.series_id, i.sop_instance_uid, i.rows, i.columns, i.number_of_frames, i.modality, i.photometric_interpretation,
               i.transfer_syntax_uid, i.header_json, st.id AS study_id, st.patient_id
        FROM images i JOIN series se ON se.id = i.series_id JOIN studies st ON st.id = se.study_id WHERE i.id = ?`),
      studyById: db.prepare(`SELECT id, study_instance_uid, study_date, study_time, description, accession_number, role, operation_date FROM studies WHERE id = ?`),
      setStudyClinical: db.prepare(`UPDATE studies SET role = ?, operation_date = ? WHERE id = ? RETURNING id, role, operation_date`),
      studyOfImage: db.prepare(`SELECT se.study_id FROM images i JOIN series se ON se.id = i.series_id WHERE i.id = ?`),
      storePathOf: db.prepare(`SELECT store_path FROM images WHERE id = ?`),
      allShas: db.prepare(`SELECT DISTINCT sha256 FROM images`),
      counts: db.prepare(`SELECT (SELECT COUNT(*) FROM patients) AS patients, (SELECT COUNT(*) FROM studies) AS studies,
                                 (SELECT COUNT(*) FROM series) AS series, (SELECT COUNT(*) FROM images) AS images`),
    };
  }

  findImageBySopInstanceUid(sopInstanceUid: string): { id: number } | undefined {
    return this.statements.imageBySop.get(sopInstanceUid) as { id: number } | undefined;
  }

  isSha256Referenced(sha256: string): boolean {
    return this.statements.shaReferenced.get(sha256) !== undefined;
  }

  referencedSha256s(): Set<string> {
    return new Set((this.statements.allShas.all() as { sha256: string }[]).map((r) => r.sha256));
  }

  /**
   * Inserts imported images with their patients, studies and series in one transaction: all of
   * them or, if anything throws, none. `beforeCommit` runs inside the transaction (the import's
   * fault hook): if it throws, nothing is kept.
   */
  insertImages(images: readonly NewImage[], beforeCommit?: () => void): { imageId: number; patientId: number }[] {
    const now = new Date().toISOString();
    return this.db.transaction(() => {
      const ids = images.map((image) => this.insertOne(image, now));
      beforeCommit?.();
      return ids;
    })();
  }

  private insertOne(image: NewImage, now: string): { imageId: number; patientId: number } {
    const s = this.statements;
    const h = image.header;
    const patient = s.upsertPatient.get(h.patientId, h.patientName, h.patientBirthDate, h.patientSex, now) as { id: number };
    const study = s.upsertStudy.get(patient.id, h.studyInstanceUid, h.studyDate, h.studyTime, h.studyDescription, h.accessionNumber) as {
      id: number;
      patient_id: number;
    };
    const series = s.upsertSeries.get(study.id, h.seriesInstanceUid, h.seriesNumber, h.modality, h.bodyPartExamined, h.laterality, h.viewPosition) as {
      id: number;
    };
    const info = s.insertImage.run(
      series.id,
      h.sopInstanceUid,
      h.sopClassUid,
      h.transferSyntaxUid,
      h.rows,
      h.columns,
      h.numberOfFrames,
      h.photometricInterpretation,
      h.modality,
      image.storePath,
      image.sha256,
      image.sizeBytes,
      JSON.stringify(h),
      image.sourcePath,
      now,
    );
    // A study that already existed keeps its patient: the image belongs where its study is.
    return { imageId: Number(info.lastInsertRowid), patientId: study.patient_id };
  }

  listPatients(search?: string): PatientSummary[] {
    const tokens = foldForSearch(search ?? '')
      .split(/\s+/)
      .filter((t) => t !== '');
    const where = tokens.map(() => `(instr(osteoplan_fold(p.name), ?) > 0 OR instr(osteoplan_fold(p.dicom_patient_id), ?) > 0)`).join(' AND ');
    const sql = `${PATIENT_SUMMARY_SQL} ${where ? `WHERE ${where}` : ''} GROUP BY p.id
      ORDER BY last_study_date IS NULL, last_study_date DESC, p.name COLLATE NOCASE, p.id`;
    const rows = this.db.prepare(sql).all(...tokens.flatMap((t) => [t, t])) as PatientRow[];
    return rows.map(toPatientSummary);
  }

  getPatient(id: number): PatientDetail {
    const s = this.statements;
    const row = s.patientById.get(id) as PatientRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No patient with id ${id} in the library.`);
    const images = s.imagesOfPatient.all(id) as ImageRow[];
    const seriesRows = s.seriesOfPatient.all(id) as SeriesRow[];
    const seriesByStudy = new Map<number, SeriesDetail[]>();
    for (const se of seriesRows) {
      const detail: SeriesDetail = {
        id: se.id,
        seriesInstanceUid: se.series_instance_uid,
        seriesNumber: se.series_number,
        modality: se.modality,
        bodyPartExamined: se.body_part_examined,
        laterality: se.laterality,
        viewPosition: se.view_position,
        images: images.filter((i) => i.series_id === se.id).map(toImageSummary),
      };
      const list = seriesByStudy.get(se.study_id) ?? [];
      list.push(detail);
      seriesByStudy.set(se.study_id, list);
    }
    const studies = (s.studiesOfPatient.all(id) as StudyRow[]).map((st) => ({ ...toStudy(st), series: seriesByStudy.get(st.id) ?? [] }));
    return { patient: toPatientSummary(row), studies };
  }

  getImage(id: number): ImageDetail {
    const s = this.statements;
    const row = s.imageDetail.get(id) as (ImageRow & { header_json: string; study_id: number; patient_id: number }) | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No image with id ${id} in the library.`);
    const patient = s.patientById.get(row.patient_id) as PatientRow;
    const study = s.studyById.get(row.study_id) as StudyRow;
    return {
      image: toImageSummary(row),
      header: headerFromJson(row.header_json),
      patient: toPatientSummary(patient),
      study: toStudy(study),
      seriesId: row.series_id,
    };
  }

  /** The study's role and operation date (clinical-spec §6); both null clears them. */
  setStudyClinical(studyId: number, role: StudyRole | null, operationDate: string | null): { studyId: number; role: StudyRole | null; operationDate: string | null } {
    if (operationDate !== null && !isCalendarDate(operationDate)) {
      throw new AppError('INVALID_INPUT', `The operation date "${operationDate}" is not a calendar date (YYYY-MM-DD).`);
    }
    const row = this.statements.setStudyClinical.get(role, operationDate, studyId) as { id: number; role: StudyRole | null; operation_date: string | null } | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No study with id ${studyId} in the library.`);
    return { studyId: row.id, role: row.role, operationDate: row.operation_date };
  }

  studyIdOfImage(imageId: number): number | undefined {
    return (this.statements.studyOfImage.get(imageId) as { study_id: number } | undefined)?.study_id;
  }

  storePathOf(imageId: number): string | undefined {
    return (this.statements.storePathOf.get(imageId) as { store_path: string } | undefined)?.store_path;
  }

  counts(): LibraryCounts {
    return this.statements.counts.get() as LibraryCounts;
  }
}
