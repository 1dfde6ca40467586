import { pino, type Logger } from 'pino';

export type { Logger };

/** The process logger: JSON lines on stdout (pino), level from SEMHUB_LOG_LEVEL. */
export function createLogger(level: string): Logger {
  return pino({ name: 'semhub', level, base: { pid: process.pid } });
}
