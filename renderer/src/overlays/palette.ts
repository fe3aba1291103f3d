// Okabe–Ito colours (colour-blind safe), assigned by meaning so a colour always says the same
// thing. Every stroke is drawn over a dark halo so it reads on bright bone and on black.
export const OKABE_ITO = {
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
  black: '#000000',
} as const;

export const OVERLAY_COLOURS = {
  mechanicalAxis: OKABE_ITO.yellow,
  femoralAxis: OKABE_ITO.skyBlue,
  tibialAxis: OKABE_ITO.bluishGreen,
  condylarLine: OKABE_ITO.orange,
  plateauLine: OKABE_ITO.reddishPurple,
  plafondLine: OKABE_ITO.orange,
  wbl: OKABE_ITO.vermillion,
  headCircle: OKABE_ITO.skyBlue,
  calibration: OKABE_ITO.reddishPurple,
  handle: '#ffffff',
  selected: OKABE_ITO.yellow,
  halo: 'rgba(0, 0, 0, 0.75)',
  labelBackground: 'rgba(8, 9, 11, 0.82)',
  labelText: '#f2f4f6',
} as const;

/** The plan screen's own meanings (clinical-spec §5), beside the measuring colours above. */
export const PLAN_COLOURS = {
  osteotomy: '#ffffff',
  hinge: OKABE_ITO.orange,
  cutEntry: '#ffffff',
  wedge: OKABE_ITO.orange,
  wedgeFill: 'rgba(230, 159, 0, 0.30)',
  gap: OKABE_ITO.orange,
  newAxis: OKABE_ITO.bluishGreen,
  target: OKABE_ITO.bluishGreen,
  fragmentEdge: 'rgba(255, 255, 255, 0.55)',
} as const;
