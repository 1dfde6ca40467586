import type { AddressInfo } from 'node:net';
import { isLoopbackHost, type Config } from './config.js';
import { createHttpApp } from './graphql/server.js';
import type { Logger } from './log.js';
import { loadModuleRegistry } from './modules/registry.js';
import { createServices, type Services } from './services/services.js';
import { lockDataDir } from './store/data-dir-lock.js';
import { withDocumentCache } from './store/document-cache.js';
import { openStore } from './store/open.js';

export interface RunningServer {
  url: string;
  port: number;
  services: Services;
  close(): Promise<void>;
}

/**
 * Start-up, in order: config check → the data directory's lock (one process per data directory)
 * → store (migrated) → modules (encoders ready) → HTTP server.
 */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  if (!isLoopbackHost(config.host) && config.apiKeys.size === 0) {
    throw new Error(
      `refusing to listen on ${config.host} without API keys: set SEMHUB_API_KEYS="<key>:admin,..." or bind to 127.0.0.1`,
    );
  }
  const lock = lockDataDir(config.dataDir);
  try {
    return await startLocked(config, logger, lock);
  } catch (e) {
    lock.release();
    throw e;
  }
}

async function startLocked(config: Config, logger: Logger, lock: { release(): void }): Promise<RunningServer> {
  const store = withDocumentCache(await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pgPoolSize: config.pgPoolSize }));
  logger.info({ store: store.dialect, dataDir: config.dataDir }, 'store ready');
  const modules = await loadModuleRegistry(config, { logger });
  for (const m of modules.list()) logger.info({ module: m }, 'module ready');
  const services = createServices(config, store, modules, logger);
  void services.indexes.warmUp();
  const { server, apollo } = await createHttpApp(services, logger);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}/graphql`;
  logger.info({ url }, 'semhub listening');
  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    services,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await apollo.stop();
        await services.close();
        await modules.close();
        await store.close();
        lock.release();
      })()),
  };
}
