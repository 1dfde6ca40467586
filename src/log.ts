import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The process logger: JSON lines on stdout (pino), level from SEMHUB_LOG_LEVEL. The lines the HTTP
 * front writes about a request (its summary line, internal errors) carry its `requestId` (the
 * `x-request-id` response header), passed explicitly: an AsyncLocalStorage scope would carry it
 * further, but on Node 20 it turns on promise hooks for the whole process, which cost about a
 * fifth of the throughput of vector search requests.
 */
export function createLogger(level: string): Logger {
  return pino({ name: 'semhub', level, base: { pid: process.pid } });
}
