import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { ModuleRegistry } from '../modules/types.js';
import type { Store } from '../store/types.js';
import { ClusteringService } from './clustering.js';
import { CollectionService } from './collections.js';
import { DocumentService } from './documents.js';
import { IndexManager } from './index-manager.js';
import { SearchService } from './search.js';

/** The business layer handed to the GraphQL layer (and the CLI): no graphql imports below here. */
export interface Services {
  config: Config;
  store: Store;
  modules: ModuleRegistry;
  indexes: IndexManager;
  collections: CollectionService;
  documents: DocumentService;
  search: SearchService;
  clustering: ClusteringService;
  close(): Promise<void>;
}

/** Wires services over a ready store and module registry; indexes live in `<dataDir>/indexes`. */
export function createServices(config: Config, store: Store, modules: ModuleRegistry, logger: Logger): Services {
  const indexes = new IndexManager(store, path.join(config.dataDir, 'indexes'), logger);
  const documents = new DocumentService(store, modules, config.limits, {
    afterWrite: (collection) => indexes.sync(collection),
  });
  const clustering = new ClusteringService(store, logger);
  return {
    config,
    store,
    modules,
    indexes,
    collections: new CollectionService(store, modules, {
      onDeleted: async (c) => {
        clustering.cancelCollection(c);
        await indexes.drop(c);
      },
    }),
    documents,
    search: new SearchService(store, documents, indexes),
    clustering,
    close: async () => {
      await clustering.close();
      await indexes.close();
    },
  };
}
