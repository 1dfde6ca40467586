import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEncoder, type EncoderOptions, type LoadedEncoder } from '../../src/modules/encoder.js';
import { bundledUseLiteDir } from '../../src/modules/use-lite.js';

/** A module cache of its own for each test process (built ONNX graphs land there). */
export const testModuleCache = (): string => mkdtempSync(path.join(os.tmpdir(), 'semhub-test-module-cache-'));

/** The bundled USE-lite as an encoder for tests: wasm, in-process unless `workers` says otherwise. */
export function loadUseLite(overrides: Partial<EncoderOptions> = {}): Promise<LoadedEncoder> {
  return loadEncoder({
    cacheDir: testModuleCache(),
    name: 'use-lite',
    version: '1',
    dir: bundledUseLiteDir(),
    sha256: 'test',
    source: 'bundled',
    inputKind: 'sparse-sentencepiece',
    backend: 'wasm',
    workers: 0,
    maxBatch: 64,
    queueMax: 1000,
    ...overrides,
  });
}

/** A few STS-B-like sentences, written here so the tests do not depend on the data folder. */
export const SENTENCES = [
  'A man is playing a guitar.',
  'A woman is slicing an onion.',
  'Two dogs are running through a field.',
  'The stock market fell sharply on Monday.',
  'A child is riding a horse.',
  'The president gave a speech about the economy.',
  'Someone is cooking pasta in a kitchen.',
  'A cat is sleeping on the sofa.',
];
