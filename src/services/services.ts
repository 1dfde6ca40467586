import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { ModuleRegistry } from '../modules/types.js';
import type { JobRow, Store } from '../store/types.js';
import { ClassificationService } from './classification/classification-service.js';
import { ClusteringService } from './clustering/clustering-service.js';
import { ClusterReviewService } from './clustering/review.js';
import { CollectionService } from './collections.js';
import { DocumentService } from './documents.js';
import { IndexManager } from './index-manager.js';
import { MigrationService } from './migration/migration-service.js';
import type { JobSchedule } from './jobs/job-runner.js';
import { MetadataFollower } from './metadata-follower.js';
import { RecordedModules } from './recorded-modules.js';
import { SearchService } from './search.js';
import { SimilarityService } from './similarity.js';

/** The business layer handed to the GraphQL layer (and the CLI): no graphql imports below here. */
export interface Services {
  config: Config;
  store: Store;
  /** The loaded modules, recorded in the store and followed from it (RecordedModules). */
  modules: RecordedModules;
  indexes: IndexManager;
  collections: CollectionService;
  documents: DocumentService;
  search: SearchService;
  similarity: SimilarityService;
  jobs: JobLookup;
  clustering: ClusteringService;
  /** Module migrations of collections (migrateCollection, revertMigration, ...). */
  migrations: MigrationService;
  /** Renaming, merging and marking clusters, the map's points, and applying the reviewed labels. */
  clusterReview: ClusterReviewService;
  classification: ClassificationService;
  close(): Promise<void>;
}

/** Background jobs (clustering, classification) by id, whatever their kind. */
export interface JobLookup {
  /** The job with this id; null when there is none. */
  get(id: string): Promise<JobRow | null>;
}

/**
 * Wires services over a ready store and module registry; indexes live in `<dataDir>/indexes`.
 * What other processes change in the store is followed every `config.indexPollMs` and on its
 * change notices: documents by the index manager, collections and modules by the metadata
 * follower. Modules recorded in the store start loading in the background.
 */
export function createServices(config: Config, store: Store, registry: ModuleRegistry, logger: Logger): Services {
  const modules = new RecordedModules(registry, store, logger);
  void modules.loadRecorded().catch((e: unknown) => logger.warn({ err: e }, 'recorded modules could not be listed'));
  const indexes = new IndexManager(store, path.join(config.dataDir, 'indexes'), logger, undefined, config.indexPollMs);
  const documents = new DocumentService(store, modules, config.limits, {
    afterWrite: (collection) => indexes.sync(collection),
    reread: (collection) => collections.reread(collection),
  });
  // SQLite is one process (the data directory's lock): a lease found at start is a dead process's
  const jobs: JobSchedule = { heartbeatMs: config.jobHeartbeatMs, staleMs: config.jobLeaseMs, soleProcess: store.dialect === 'sqlite' };
  const clustering = new ClusteringService(store, logger, jobs);
  const search = new SearchService(store, documents, indexes, (collection) => collections.reread(collection));
  const classification = new ClassificationService({
    store, documents, search, limits: config.limits, logger, afterWrite: (collection) => indexes.sync(collection), jobs,
  });
  const collections: CollectionService = new CollectionService(store, modules, {
    onDeleted: async (c) => {
      clustering.cancelCollection(c);
      classification.cancelCollection(c);
      migrations.cancelCollection(c);
      await indexes.drop(c);
    },
    onRebound: (c) => indexes.rebind(c),
  });
  const migrations = new MigrationService({
    store, documents, collections, modules, logger, jobs, retrain: (c) => classification.retrainStale(c),
  });
  const follower = new MetadataFollower({ store, collections, indexes, modules, logger }, config.indexPollMs);
  return {
    config,
    store,
    modules,
    indexes,
    collections,
    documents,
    search,
    similarity: new SimilarityService(modules, config.limits),
    jobs: { get: (id) => store.getJob(id) },
    clustering,
    migrations,
    clusterReview: new ClusterReviewService(store, (collection) => indexes.sync(collection)),
    classification,
    close: async () => {
      follower.close();
      await clustering.close();
      await migrations.close();
      await classification.close();
      await indexes.close();
    },
  };
}
