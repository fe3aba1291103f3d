// The handler table: channel -> (request, context) -> result (architecture.md §3), assembled from
// one module per domain. Electron's ipc.ts and the browser bridge both dispatch into this one
// table; Electron replaces only dialog:openPaths with the native dialog.
import type { HandlerTable } from '../dispatch';
import { followUpHandlers } from './follow-up-handlers';
import { libraryHandlers, type HandlerDeps } from './library-handlers';
import { measurementHandlers } from './measurement-handlers';
import { mediaHandlers } from './media-handlers';
import { planHandlers } from './plan-handlers';

export type { HandlerDeps } from './library-handlers';

export function createHandlers(deps: HandlerDeps): HandlerTable {
  const library = libraryHandlers(deps);
  // Media and scanned-film imports run through import:paths, so import:cancel reaches them too.
  return { ...library, ...measurementHandlers(deps), ...mediaHandlers(deps, library['import:paths']), ...planHandlers(deps), ...followUpHandlers(deps) };
}
