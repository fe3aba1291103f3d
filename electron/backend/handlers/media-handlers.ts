// Media and scanned-film channels (issue 7). Being written: see the issue-7 worker.
import { AppError } from '../../../shared/ipc/result';
import type { HandlerTable } from '../dispatch';
import type { HandlerDeps } from './library-handlers';

export type MediaChannels = 'media:read' | 'media:import' | 'import:scannedFilm';

const notYet = (): never => {
  throw new AppError('INTERNAL', 'Not available in this build yet.');
};

export function mediaHandlers(_deps: HandlerDeps): Pick<HandlerTable, MediaChannels> {
  return {
    'media:read': notYet,
    'media:import': notYet,
    'import:scannedFilm': notYet,
  };
}
