/**
 * The body of `GET /healthz` (always open, 200 while the process serves): the store's dialect,
 * the loaded modules and their backends, and how far each loaded index is behind the store, per
 * collection and module (`module`; `serving` false for a module migration's shadow index):
 * `indexSeq` (the newest change it reflects), `storeSeq` (the newest committed change of that
 * module's vectors), `behind` (vectors changed after indexSeq, what its next catch-up applies)
 * and `oldestUnappliedMs` (age of the oldest of those changes, by the writer's clock; 0 when none).
 * The lag costs one indexed store read per loaded index; when the store does not answer within
 * HEALTH_LAG_TIMEOUT_MS, `indexes` is null and `indexesError` says why (still 200: the process
 * serves what its indexes hold).
 */
import type { Services } from '../services/services.js';

/** How long /healthz waits for the store's side of the index lag. */
export const HEALTH_LAG_TIMEOUT_MS = 1_000;

export async function healthBody(services: Services): Promise<Record<string, unknown>> {
  const modules = services.modules.list();
  const base = {
    status: 'ok',
    store: services.store.dialect,
    modules: modules.map((m) => `${m.name}@${m.version}`),
    backend: modules[0]?.backend ?? null,
    backends: Object.fromEntries(modules.map((m) => [m.name, m.backend])),
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the store did not answer within ${HEALTH_LAG_TIMEOUT_MS} ms`)), HEALTH_LAG_TIMEOUT_MS);
  });
  try {
    return { ...base, indexes: await Promise.race([services.indexes.lag(), timeout]) };
  } catch (e) {
    return { ...base, indexes: null, indexesError: e instanceof Error && e.message.startsWith('the store did not') ? e.message : 'the store could not be read' };
  } finally {
    clearTimeout(timer);
  }
}
