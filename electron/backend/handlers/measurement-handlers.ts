// Measuring channels (issue 4). Being written: see the issue-4 worker.
import { AppError } from '../../../shared/ipc/result';
import type { HandlerTable } from '../dispatch';
import type { HandlerDeps } from './library-handlers';

export type MeasurementChannels = 'study:setClinical' | 'measurement:list' | 'measurement:save' | 'measurement:history' | 'measurement:getRevision' | 'demo:load';

const notYet = (): never => {
  throw new AppError('INTERNAL', 'Not available in this build yet.');
};

export function measurementHandlers(_deps: HandlerDeps): Pick<HandlerTable, MeasurementChannels> {
  return {
    'study:setClinical': notYet,
    'measurement:list': notYet,
    'measurement:save': notYet,
    'measurement:history': notYet,
    'measurement:getRevision': notYet,
    'demo:load': notYet,
  };
}
