/**
 * Shared fixtures of the service tests: the services wired by createServices as the server wires
 * them, over a real SQLite store in a temp folder and the real bundled USE-lite (in-process, one
 * loaded per test file, on the run's module cache from test/global-setup.ts), and a small corpus.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { isAppError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { loadModuleRegistry } from '../../src/modules/registry.js';
import type { ModuleRegistry } from '../../src/modules/types.js';
import { createServices, type Services } from '../../src/services/services.js';
import { openStore } from '../../src/store/open.js';

/** The config of a service test: in-process embedding, small limits a test can reach. */
export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    SEMHUB_DATA_DIR: dataDir,
    SEMHUB_EMBED_WORKERS: '0',
    SEMHUB_MODULE_CACHE: process.env.SEMHUB_MODULE_CACHE,
    SEMHUB_LOG_LEVEL: 'silent',
    ...env,
  });
}

/** The real module registry (bundled USE-lite as the default); close it in afterAll. */
export function loadModules(): Promise<ModuleRegistry> {
  return loadModuleRegistry(testConfig(os.tmpdir()));
}

/** A fresh data folder; `remove` deletes it. */
export function tempDataDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `semhub-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Services over the SQLite store of `dataDir` (opened and migrated here); `close` closes both. */
export async function openServices(dataDir: string, modules: ModuleRegistry, env: Record<string, string> = {}): Promise<Services> {
  const config = testConfig(dataDir, env);
  const store = await openStore({ dataDir: config.dataDir });
  const services = createServices(config, store, modules, createLogger('silent'));
  return {
    ...services,
    close: async () => {
      await services.close();
      await store.close();
    },
  };
}

/** The code and message of what `promise` rejects with (code '' for a non-AppError); throws if it resolves. */
export async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const e = await promise.then(
    () => {
      throw new Error('expected a rejection, got a result');
    },
    (err: unknown) => err,
  );
  return { code: isAppError(e) ? e.code : '', message: e instanceof Error ? e.message : String(e) };
}

/** Four topics, six short reviews each; `stars` 1-5 and `n` 0-23 for filters. */
export const TOPICS = {
  battery: [
    'The phone battery lasts two full days on a single charge.',
    'My laptop battery drains in an hour, even when idle.',
    'Charging the battery takes forever with the supplied cable.',
    'After the update the battery life of my phone got much worse.',
    'A spare battery pack kept my phone alive on the long trip.',
    'The tablet battery swelled and the screen popped out.',
  ],
  kitchen: [
    'This chef knife is sharp enough to slice tomatoes paper thin.',
    'The blender is loud but makes smooth soups and smoothies.',
    'Our nonstick frying pan lost its coating after a month.',
    'The toaster browns bread evenly on both sides.',
    'This cast iron skillet sears steak beautifully.',
    'The coffee grinder produces an even, fine grind for espresso.',
  ],
  books: [
    'A gripping mystery novel I could not put down until the last page.',
    'The biography of the composer is long but rewarding to read.',
    'This fantasy saga has dragons, wizards and a map of the kingdom.',
    'The poetry collection is short, quiet and beautifully written.',
    'A history book about the Roman empire, full of maps and dates.',
    'The science fiction paperback has a clever twist at the end.',
  ],
  travel: [
    'The hotel room was clean and the staff at the front desk were friendly.',
    'Our flight was delayed six hours and the airline offered nothing.',
    'The beach resort had a great pool but the food was bland.',
    'We took the night train across the mountains and slept well.',
    'The hostel was cheap, noisy and close to the old town.',
    'Renting a car at the airport took two hours of paperwork.',
  ],
} as const;

export type Topic = keyof typeof TOPICS;

/** The corpus as document inputs: id `<topic>-<i>`, metadata { topic, stars, n }. */
export function corpus(): { id: string; text: string; metadata: { topic: Topic; stars: number; n: number } }[] {
  return (Object.keys(TOPICS) as Topic[]).flatMap((topic, t) =>
    TOPICS[topic].map((text, i) => ({ id: `${topic}-${i}`, text, metadata: { topic, stars: 1 + ((t + i) % 5), n: t * 6 + i } })),
  );
}
