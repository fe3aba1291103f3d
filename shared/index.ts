// The measurement and planning engine (issue 3): pure TypeScript, every function names the
// clinical-spec section it implements. The screens import from here.
export * from './geometry/errors';
export * from './geometry/vec';
export * from './geometry/circle-fit';
export * from './geometry/frame';
export * from './calibration/calibration';
export * from './landmarks/ids';
export * from './landmarks/catalogue';
export * from './landmarks/resolve';
export * from './measurements/definitions';
export * from './measurements/format';
export * from './measurements/leg-alignment';
export * from './measurements/leg-length';
export * from './planning/wedge-arithmetic';
export * from './planning/osteotomy';
export * from './follow-up/follow-up';
export * from './schemas/index';
