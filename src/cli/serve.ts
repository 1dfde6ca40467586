import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { startServer } from '../main.js';
import { flag, type Args } from './args.js';

/** `semhub serve [--port 4000] [--data ./data] [--host 127.0.0.1]`: flags override SEMHUB_* variables. */
export async function serve(args: Args): Promise<void> {
  const env = { ...process.env };
  const port = flag(args, 'port');
  const data = flag(args, 'data');
  const host = flag(args, 'host');
  if (port !== undefined) env.SEMHUB_PORT = port;
  if (data !== undefined) env.SEMHUB_DATA_DIR = data;
  if (host !== undefined) env.SEMHUB_HOST = host;
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel);
  const running = await startServer(config, logger);
  // One plain line whatever the log level, for people and for scripts waiting on the port.
  process.stderr.write(`semhub listening on ${running.url}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    running.close().then(
      () => process.exit(0),
      (e) => {
        logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
