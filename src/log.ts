import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger } from 'pino';

export type { Logger };

/** What every log line written while serving one request carries. */
export interface RequestScope {
  requestId: string;
}

/**
 * The request being served, through async calls (AsyncLocalStorage). The HTTP front runs each
 * request inside `requestScope.run({ requestId }, …)`; the logger adds the id to every line.
 */
export const requestScope = new AsyncLocalStorage<RequestScope>();

/**
 * The process logger: JSON lines on stdout (pino), level from SEMHUB_LOG_LEVEL. Lines written
 * while a request is being served carry its `requestId` (the `x-request-id` response header).
 */
export function createLogger(level: string): Logger {
  return pino({
    name: 'semhub',
    level,
    base: { pid: process.pid },
    mixin: () => {
      const scope = requestScope.getStore();
      return scope ? { requestId: scope.requestId } : {};
    },
  });
}
