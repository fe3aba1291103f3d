// Versioned zod schemas for landmark sets, calibrations and plans (issue 3), used by IPC and the DB.
export * from './common';
export * from './calibration';
export * from './landmark-set';
export * from './plan';
