/**
 * RecordedModules: a module loaded through one process is recorded in the store and loaded by
 * another from that record (pinned to its sha256) when a request needs it or its follower says
 * so. The inner registries are small fakes (what they load is a name, version and sha256), the
 * store is a real SQLite one shared by both "processes".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import type { Encoder, ModuleInfo, ModuleRegistry, ModuleSpec } from '../../src/modules/types.js';
import { RecordedModules } from '../../src/services/recorded-modules.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { failure, tempDataDir } from './support.js';

/** Loads whatever it is asked to, with the sha256 `files` says the source has (MODULE_INTEGRITY against a different pin). */
class FakeRegistry implements ModuleRegistry {
  readonly defaultName = 'default';
  readonly loads: ModuleSpec[] = [];
  private readonly loaded = new Map<string, ModuleInfo>();
  constructor(private readonly files: Record<string, string>) {}
  list = () => [...this.loaded.values()];
  get(name?: string | null): Encoder {
    const info = this.loaded.get(name ?? this.defaultName);
    if (!info) throw new AppError('NOT_FOUND', `unknown module "${name}"`);
    return { info, embed: async () => [], close: async () => {} };
  }
  acquire = async (name?: string | null) => this.get(name);
  async register(spec: ModuleSpec): Promise<ModuleInfo> {
    this.loads.push(spec);
    const sha256 = this.files[spec.source];
    if (!sha256) throw new AppError('MODULE_UNTRUSTED', `${spec.source} is not trusted`);
    if (spec.sha256 && spec.sha256 !== sha256) throw new AppError('MODULE_INTEGRITY', `expected sha256 ${spec.sha256}, got ${sha256}`);
    const info: ModuleInfo = { name: spec.name, version: spec.version, dims: 4, sha256, backend: 'cpu', backendNote: null, inputKind: 'text', source: spec.source };
    this.loaded.set(spec.name, info);
    return info;
  }
  close = async () => {};
}

const data = tempDataDir('recorded-modules');
let store: Store;
const logger = createLogger('silent');
const SHA = 'ab'.repeat(32);

beforeAll(async () => {
  store = await openStore({ dataDir: data.dir });
});
afterAll(async () => {
  await store?.close();
  data.remove();
});

describe('recorded modules', () => {
  it('records a module loaded on one process; another loads it from the record, pinned, when a request needs it', async () => {
    const a = new RecordedModules(new FakeRegistry({ '/models/m': SHA }), store, logger);
    const innerB = new FakeRegistry({ '/models/m': SHA });
    const b = new RecordedModules(innerB, store, logger);
    const info = await a.register({ name: 'm', version: '1', source: '/models/m' });
    expect(await store.listModules()).toMatchObject([{ name: 'm', version: '1', source: '/models/m', sha256: SHA, dims: 4 }]);
    expect((await b.acquire('m')).info).toEqual(info);
    expect(innerB.loads).toEqual([{ name: 'm', version: '1', source: '/models/m', sha256: SHA }]);
    expect((await failure(b.acquire('never-loaded'))).code).toBe('NOT_FOUND');
  });

  it('loads every record it lacks in the background, and leaves one that fails for a request to report', async () => {
    await store.recordModule({ name: 'other', version: '2', source: '/models/other', sha256: SHA, dims: 4 });
    await store.recordModule({ name: 'changed', version: '1', source: '/models/changed', sha256: SHA, dims: 4 });
    const inner = new FakeRegistry({ '/models/m': SHA, '/models/other': SHA, '/models/changed': 'cd'.repeat(32) });
    const c = new RecordedModules(inner, store, logger);
    await c.loadRecorded();
    expect(c.list().map((m) => m.name).sort()).toEqual(['m', 'other']);
    await c.loadRecorded();
    expect(inner.loads.filter((s) => s.name === 'changed')).toHaveLength(1);
    const refused = await failure(c.acquire('changed'));
    expect(refused.code).toBe('MODULE_INTEGRITY');
    expect(refused.message).toMatch(/^module "changed" was loaded from \/models\/changed by a process of this store, but cannot be loaded here: expected sha256/);
  });

  it('refuses another version or pin under a recorded name with CONFLICT', async () => {
    const d = new RecordedModules(new FakeRegistry({ '/models/m': SHA, '/models/m2': 'ef'.repeat(32) }), store, logger);
    expect((await failure(d.register({ name: 'm', version: '2', source: '/models/m2' }))).code).toBe('CONFLICT');
    expect((await failure(d.register({ name: 'm', version: '1', source: '/models/m', sha256: 'ef'.repeat(32) }))).code).toBe('CONFLICT');
    // the same module again (another path to the same files) is fine
    await expect(d.register({ name: 'm', version: '1', source: '/models/m' })).resolves.toMatchObject({ sha256: SHA });
  });
});
