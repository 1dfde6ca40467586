/**
 * A head is bound to the module its vectors came from: serving it on a collection of another
 * module is CONFLICT, checked before anything is embedded (real SQLite store, no encoder needed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { ClassificationService } from '../../../src/services/classification/classification-service.js';
import type { DocumentService } from '../../../src/services/documents.js';
import type { SearchService } from '../../../src/services/search.js';
import { openStore } from '../../../src/store/open.js';
import type { CollectionRow, Store } from '../../../src/store/types.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'semhub-cls-module-'));
let store: Store;
let service: ClassificationService;
let collection: CollectionRow;

beforeAll(async () => {
  store = await openStore({ dataDir: dir });
  collection = await store.createCollection({
    name: 'reviews', module: { name: 'use-lite', version: '1', sha256: 'a'.repeat(64), dims: 4 }, metric: 'cosine', hnsw: { m: 16, efConstruction: 200, ef: 64 },
  });
  // a head stored with another module's sha256, as after a migration gone wrong
  await store.createClassifier({
    collectionKey: collection.key, name: 'stale', head: 'LOGISTIC', labelKey: 'label', labels: ['a', 'b'], hyperparameters: {}, metrics: null,
    training: {}, module: { name: 'use-lite', version: '0.9', sha256: 'b'.repeat(64), dims: 4 }, layers: [4, 2], weights: new Float32Array(10),
    trainedOn: 2, validatedOn: 0, skipped: 0,
  });
  const unused = new Proxy({}, { get: () => { throw new Error('must not be reached'); } });
  service = new ClassificationService({
    store, documents: unused as DocumentService, search: unused as SearchService, limits: { maxBatch: 100, maxTextBytes: 1000, maxMetadataBytes: 1000 },
    logger: createLogger('silent'), afterWrite: async () => {},
  });
});

afterAll(async () => {
  await service?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('classifier module binding', () => {
  it('refuses to classify texts with a head trained on another module (a stale head) unless its version is asked for', async () => {
    await expect(service.classify(collection, 'stale', ['some text'])).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'CLASSIFIER_STALE' },
      message: expect.stringMatching(/^classifier "stale" version 1 was trained on vectors of use-lite@0\.9 \(sha256 bbbbbbbbbbbb…\), but collection "reviews" is now bound to use-lite@1 \(sha256 aaaaaaaaaaaa…\): it is stale; retrain it .*ask for its version explicitly/),
    });
  });

  it('refuses to classify stored documents with it too', async () => {
    await expect(service.classifyDocuments(collection, { classifier: 'stale' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
