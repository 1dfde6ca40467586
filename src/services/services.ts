import type { Config } from '../config.js';
import type { ModuleRegistry } from '../modules/types.js';
import type { CollectionRow, Store } from '../store/types.js';
import { CollectionService, type CollectionHooks } from './collections.js';
import { DocumentService, type WriteHooks } from './documents.js';

/** The business layer handed to the GraphQL layer (and the CLI): no graphql imports below here. */
export interface Services {
  config: Config;
  store: Store;
  modules: ModuleRegistry;
  collections: CollectionService;
  documents: DocumentService;
  index: IndexView;
}

/** What the API shows of a collection's vector index. */
export interface IndexView {
  /** Live vectors in the collection's index. */
  indexedCount(collection: CollectionRow): Promise<number>;
}

/** Wires services over a ready store and module registry. */
export function createServices(
  config: Config,
  store: Store,
  modules: ModuleRegistry,
  hooks: CollectionHooks & WriteHooks = {},
  index?: IndexView,
): Services {
  const documents = new DocumentService(store, modules, config.limits, hooks);
  return {
    config,
    store,
    modules,
    collections: new CollectionService(store, modules, hooks),
    documents,
    // Without an index every stored vector counts as indexed (searches go to the store).
    index: index ?? { indexedCount: (c) => documents.count(c) },
  };
}
