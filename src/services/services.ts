import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { ModuleRegistry } from '../modules/types.js';
import type { JobRow, Store } from '../store/types.js';
import { ClassificationService } from './classification/classification-service.js';
import { ClusteringService } from './clustering/clustering-service.js';
import { CollectionService } from './collections.js';
import { DocumentService } from './documents.js';
import { IndexManager } from './index-manager.js';
import { SearchService } from './search.js';
import { SimilarityService } from './similarity.js';

/** The business layer handed to the GraphQL layer (and the CLI): no graphql imports below here. */
export interface Services {
  config: Config;
  store: Store;
  modules: ModuleRegistry;
  indexes: IndexManager;
  collections: CollectionService;
  documents: DocumentService;
  search: SearchService;
  similarity: SimilarityService;
  jobs: JobLookup;
  clustering: ClusteringService;
  classification: ClassificationService;
  close(): Promise<void>;
}

/** Background jobs (clustering, classification) by id, whatever their kind. */
export interface JobLookup {
  /** The job with this id; null when there is none. */
  get(id: string): Promise<JobRow | null>;
}

/** Wires services over a ready store and module registry; indexes live in `<dataDir>/indexes`. */
export function createServices(config: Config, store: Store, modules: ModuleRegistry, logger: Logger): Services {
  const indexes = new IndexManager(store, path.join(config.dataDir, 'indexes'), logger, undefined, config.indexPollMs);
  const documents = new DocumentService(store, modules, config.limits, {
    afterWrite: (collection) => indexes.sync(collection),
  });
  const clustering = new ClusteringService(store, logger);
  const search = new SearchService(store, documents, indexes);
  const classification = new ClassificationService({
    store, documents, search, limits: config.limits, logger, afterWrite: (collection) => indexes.sync(collection),
  });
  return {
    config,
    store,
    modules,
    indexes,
    collections: new CollectionService(store, modules, {
      onDeleted: async (c) => {
        clustering.cancelCollection(c);
        classification.cancelCollection(c);
        await indexes.drop(c);
      },
    }),
    documents,
    search,
    similarity: new SimilarityService(modules, config.limits),
    jobs: { get: (id) => store.getJob(id) },
    clustering,
    classification,
    close: async () => {
      await clustering.close();
      await classification.close();
      await indexes.close();
    },
  };
}
