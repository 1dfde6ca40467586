import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedEncoder } from '../../../src/modules/encoder.js';
import type { ModelInput } from '../../../src/modules/text/model-input.js';
import { dot } from '../../../src/modules/similarity.js';
import { bundledUseLiteDir } from '../../../src/modules/use-lite.js';
import { createWorkerPool, type WorkerPool } from '../../../src/modules/executors/worker-pool.js';
import { loadUseLite, SENTENCES } from '../use-lite-encoder.js';

describe('embedding on a pool of worker threads', () => {
  let pooled: LoadedEncoder;
  let inProcess: LoadedEncoder;

  beforeAll(async () => {
    [pooled, inProcess] = await Promise.all([loadUseLite({ workers: 2 }), loadUseLite({ workers: 0 })]);
  });
  afterAll(() => Promise.all([pooled?.close(), inProcess?.close()]));

  it('reports the backend its workers run on', () => {
    expect(pooled.info).toMatchObject({ backend: 'wasm', dims: 512 });
  });

  it('gives the same vectors as in-process embedding', async () => {
    const texts = [...SENTENCES, ...SENTENCES.map((s) => `${s} Then it rained for a while.`)];
    const [a, b] = await Promise.all([pooled.embed(texts), inProcess.embed(texts)]);
    a.forEach((v, i) => expect(dot(v, b[i]!)).toBeGreaterThanOrEqual(0.9999));
  });

  it('runs batches on both workers at once', async () => {
    const texts = Array.from({ length: 120 }, (_, i) => `Sentence number ${i} is ${'quite '.repeat(i % 7)}short.`);
    const before = pooled.stats();
    await pooled.embed(texts);
    const after = pooled.stats();
    expect(after.batches - before.batches).toBeGreaterThanOrEqual(2);
  });
});

describe('a worker that dies', () => {
  let pool: WorkerPool;
  let batch: () => ModelInput;

  beforeAll(async () => {
    batch = () => ({ kind: 'text', texts: [...SENTENCES] });
    pool = await createWorkerPool(
      { dir: bundledUseLiteDir(), sha256: 'test', inputKind: 'sparse-sentencepiece', backend: 'wasm', cacheDir: mkdtempSync(path.join(os.tmpdir(), 'semhub-pool-')), tokenBudget: 384, maxRows: 64 },
      1,
    );
  });
  afterAll(() => pool?.close());

  it('fails the batch it was running with an error, and is replaced', async () => {
    const running = pool.run(batch());
    await pool.terminateWorker(0);
    await expect(running).rejects.toThrow(/embedding worker 0 died while embedding a batch/);
    const vectors = await pool.run(batch());
    expect(vectors.length).toBe(SENTENCES.length * 512);
  });
});
