// Where Osteoplan keeps its data. Plain Node (no 'electron' import), so the same rule serves the
// Electron app, the browser bridge, tests and the CLI: OSTEOPLAN_DATA_DIR wins (tests and the bridge
// use a fresh folder), otherwise the folder Electron's app.getPath('userData') would give for
// productName "Osteoplan", so both transports open the same library.
import os from 'node:os';
import path from 'node:path';

export const PRODUCT_NAME = 'Osteoplan';

/** Electron's appData location for this OS, joined with the product name. */
export function userDataDirFor(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  if (platform === 'win32') return path.win32.join(env.APPDATA || path.win32.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  const configHome = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(configHome, PRODUCT_NAME);
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.OSTEOPLAN_DATA_DIR;
  if (fromEnv && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return userDataDirFor(process.platform, env);
}

/** The files and folders inside one data dir. */
export interface DataPaths {
  dataDir: string;
  database: string;
  /** Content-addressed DICOM files: store/ab/abcdef....dcm (sha256 of the bytes). */
  store: string;
  /** The browser bridge's uploads before they are imported. */
  staging: string;
}

export function dataPaths(dataDir: string): DataPaths {
  const root = path.resolve(dataDir);
  return {
    dataDir: root,
    database: path.join(root, 'library.sqlite'),
    store: path.join(root, 'store'),
    staging: path.join(root, 'staging'),
  };
}
