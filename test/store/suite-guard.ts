/**
 * Every Store method masks a driver error under its own name: the suite calls each one on a closed
 * store (the driver refuses) and expects exactly `store: <method> failed` (with the driver code,
 * if any), so no SQL, parameter or driver text gets out and each method is bound to its own name.
 */
import { describe, expect, it } from 'vitest';
import type { ClusteringOutcome, Store } from '../../src/store/types.js';
import { doc, type SuiteContext } from './suite-support.js';

type Method = Exclude<keyof Store, 'dialect' | 'close' | 'onChange'>;

const OUTCOME: ClusteringOutcome = {
  k: 0, kChosenBy: 'requested', clusters: [], documentKeys: [], assignments: [],
  quality: {
    silhouette: null, silhouetteSampleSize: 0, inertia: 0, evaluatedAgainst: null, evaluatedCount: 0, missingLabelCount: 0,
    nmi: null, ari: null, vMeasure: null, homogeneity: null, completeness: null,
  },
};
const PAGE = { first: 1 };

/** One call per method, with arguments that make it reach the database. */
const CALLS: Record<Method, (s: Store) => Promise<unknown>> = {
  createCollection: (s) => s.createCollection({
    name: 'closed', module: { name: 'm', version: '1', sha256: 's', dims: 4 }, metric: 'cosine', hnsw: { m: 8, efConstruction: 50, ef: 20 },
  }),
  getCollection: (s) => s.getCollection('closed'),
  listCollections: (s) => s.listCollections(PAGE),
  countCollections: (s) => s.countCollections(),
  collectionKeys: (s) => s.collectionKeys(),
  deleteCollection: (s) => s.deleteCollection('closed'),
  upsertDocuments: (s) => s.upsertDocuments(1, [doc('a')]),
  deleteDocuments: (s) => s.deleteDocuments(1, ['a']),
  getDocumentsByIds: (s) => s.getDocumentsByIds(1, ['a']),
  getDocumentsByKeys: (s) => s.getDocumentsByKeys(1, [1]),
  listDocuments: (s) => s.listDocuments(1, null, PAGE),
  countDocuments: (s) => s.countDocuments(1),
  countDeleted: (s) => s.countDeleted(1),
  vectorsByContentHash: (s) => s.vectorsByContentHash(1, 'm', ['h']),
  vectors: (s) => s.vectors(1, 'm', null, PAGE),
  changesSince: (s) => s.changesSince(1, 'm', 0, 1),
  maxSeq: (s) => s.maxSeq(1),
  changeLag: (s) => s.changeLag(1, 'm', 0),
  vectorsWithMetadata: (s) => s.vectorsWithMetadata(1, 'm', null, PAGE),
  patchDocumentMetadata: (s) => s.patchDocumentMetadata(1, [{ key: 1, set: { a: 1 } }]),
  getVectorsByKeys: (s) => s.getVectorsByKeys(1, 'm', [1]),
  documentKeys: (s) => s.documentKeys(1, null),
  keywordSearch: (s) => s.keywordSearch(1, 'kettle', 1, null),
  createClustering: (s) => s.createClustering({
    id: 'closed', collectionKey: 1, params: { kRequested: 2, seed: 1, restarts: 1, filter: null, evaluateAgainst: null },
  }),
  updateClustering: (s) => s.updateClustering('closed', { progress: 0.5 }),
  finishClustering: (s) => s.finishClustering('closed', OUTCOME),
  getClustering: (s) => s.getClustering('closed'),
  listClusterings: (s) => s.listClusterings(1, PAGE),
  countClusterings: (s) => s.countClusterings(1),
  deleteClustering: (s) => s.deleteClustering('closed'),
  failStaleClusterings: (s) => s.failStaleClusterings(new Date(), 'stale'),
  getClusters: (s) => s.getClusters([1]),
  listClusterDocuments: (s) => s.listClusterDocuments(1, [0], PAGE),
  countClusterDocuments: (s) => s.countClusterDocuments(1, [0]),
  listClusterPoints: (s) => s.listClusterPoints(1, PAGE),
  countClusterPoints: (s) => s.countClusterPoints(1),
  reviewClusters: (s) => s.reviewClusters(1, [{ cluster: 0, noise: true }]),
  createClassifier: (s) => s.createClassifier({
    collectionKey: 1, name: 'closed', head: 'KNN', labelKey: 'l', labels: ['a', 'b'], hyperparameters: {}, metrics: null, training: {},
    module: { name: 'm', version: '1', sha256: 's', dims: 4 }, layers: [], weights: new Float32Array(0), trainedOn: 2, validatedOn: 0, skipped: 0,
  }),
  getClassifier: (s) => s.getClassifier(1, 'closed'),
  listClassifiers: (s) => s.listClassifiers(1),
  classifierVersions: (s) => s.classifierVersions(1, 'closed'),
  getClassifierWeights: (s) => s.getClassifierWeights(1),
  deleteClassifier: (s) => s.deleteClassifier(1, 'closed'),
  createJob: (s) => s.createJob({ id: 'closed', kind: 'k', collectionKey: null, params: {} }),
  updateJob: (s) => s.updateJob('closed', { progress: 0.5 }),
  getJob: (s) => s.getJob('closed'),
  failStaleJobs: (s) => s.failStaleJobs('k', new Date(), 'stale'),
  claimJobs: (s) => s.claimJobs({ kind: 'k', owner: 'o', now: new Date(), leaseUntil: new Date(), limit: 1 }),
  renewJobLeases: (s) => s.renewJobLeases('o', new Date()),
  recordModule: (s) => s.recordModule({ name: 'closed', version: '1', source: '/m', sha256: 's', dims: 4 }),
  listModules: (s) => s.listModules(),
  collectionVersions: (s) => s.collectionVersions(),
  startMigration: (s) => s.startMigration(1, 's', { name: 'n', version: '1', sha256: 't', dims: 4 }, { id: 'closed', kind: 'migrate', collectionKey: 1, params: {} }),
  staleDocuments: (s) => s.staleDocuments(1, 'm', 0, 1),
  countStale: (s) => s.countStale(1, 'm'),
  writeModuleVectors: (s) => s.writeModuleVectors(1, 'closed', 'm', [{ key: 1, contentHash: 'h', vector: new Float32Array(4) }]),
  enableDualWrite: (s) => s.enableDualWrite(1, 'closed'),
  swapModule: (s) => s.swapModule(1, 'closed', {}),
  endMigration: (s) => s.endMigration('closed', 'CANCELLED', null),
  dropPreviousVectors: (s) => s.dropPreviousVectors(1),
};

/** Registers the driver-error tests of every method. */
export function guardTests(ctx: SuiteContext): void {
  describe('driver errors', () => {
    it('are masked by every method under its own name', async () => {
      const closed = await ctx.open();
      await closed.close();
      const messages: Record<string, string> = {};
      for (const [name, call] of Object.entries(CALLS)) {
        messages[name] = await call(closed).then(() => 'resolved', (e: unknown) => (e instanceof Error ? e.message : String(e)));
      }
      for (const [name, message] of Object.entries(messages)) {
        expect(message, name).toMatch(new RegExp(`^store: ${name} failed( \\([A-Z0-9_]+\\))?$`));
      }
    });
  });
}
