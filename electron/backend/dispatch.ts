// The one place a request is validated and turned into a result envelope. Electron's ipc.ts and
// the browser bridge both call it, so the two transports cannot drift apart (architecture.md §3).
import { requestSchemas, type Channel, type EventMap, type EventName, type RequestOf, type ResponseOf } from '../../shared/ipc/contract';
import { fail, ok, toFailure, type Result } from '../../shared/ipc/result';

export interface HandlerContext {
  /** Pushes an event to the UI that made the request. */
  emit<E extends EventName>(event: E, payload: EventMap[E]): void;
}

export type Handler<C extends Channel> = (request: RequestOf<C>, context: HandlerContext) => Promise<ResponseOf<C>> | ResponseOf<C>;

export type HandlerTable = { [C in Channel]: Handler<C> };

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(requestSchemas, name);
}

export async function dispatch(table: HandlerTable, channel: string, payload: unknown, context: HandlerContext): Promise<Result<unknown>> {
  if (!isChannel(channel)) return fail('INVALID_INPUT', `Unknown channel "${channel}".`);
  const parsed = requestSchemas[channel].safeParse(payload ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length ? ` at ${first.path.join('.')}` : '';
    return fail('INVALID_INPUT', `Invalid request for ${channel}${where}: ${first?.message ?? 'malformed'}`);
  }
  try {
    const handler = table[channel] as Handler<Channel>;
    return ok(await handler(parsed.data as never, context));
  } catch (err) {
    return toFailure(err);
  }
}
