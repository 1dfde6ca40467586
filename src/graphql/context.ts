import DataLoader from 'dataloader';
import type { ApiKeyScope } from '../config.js';
import type { ClusterRow, CollectionRow, DocumentRow } from '../services/records.js';
import type { Hit, SearchRequest } from '../services/search.js';
import type { Services } from '../services/services.js';

/** Per-request context: services, the caller's scope, and fresh DataLoaders (never shared across requests). */
export interface RequestContext {
  services: Services;
  requestId: string;
  scope: ApiKeyScope | null;
  loaders: Loaders;
}

export interface Loaders {
  /** Collections by name (null when missing). */
  collection: DataLoader<string, CollectionRow | null>;
  /** Documents of one collection by id, batched per collection, key order, null when missing. */
  documents(collection: CollectionRow): DataLoader<string, DocumentRow | null>;
  /** Documents of one collection by internal key (cluster representatives), key order, null when missing or deleted. */
  documentsByKey(collectionKey: number): DataLoader<number, DocumentRow | null>;
  /** The clusters of clusterings by clustering key (empty until a clustering SUCCEEDED). */
  clusters: DataLoader<number, ClusterRow[]>;
  /** Searches of one collection within a request, run as one batch (one encoder call, one index call). */
  search(collection: CollectionRow): DataLoader<SearchRequest, Hit[]>;
}

export function createLoaders(services: Services): Loaders {
  const perCollection = new Map<number, DataLoader<string, DocumentRow | null>>();
  const searches = new Map<number, DataLoader<SearchRequest, Hit[]>>();
  const byKey = new Map<number, DataLoader<number, DocumentRow | null>>();
  return {
    collection: new DataLoader(async (names) => Promise.all(names.map((n) => services.collections.find(n)))),
    documents(collection) {
      let loader = perCollection.get(collection.key);
      if (!loader) {
        loader = new DataLoader((ids) => services.documents.getByIds(collection, ids), { maxBatchSize: 1000 });
        perCollection.set(collection.key, loader);
      }
      return loader;
    },
    documentsByKey(collectionKey) {
      let loader = byKey.get(collectionKey);
      if (!loader) {
        loader = new DataLoader((keys) => services.documents.getByKeys(collectionKey, keys), { maxBatchSize: 1000 });
        byKey.set(collectionKey, loader);
      }
      return loader;
    },
    clusters: new DataLoader((keys) => services.clustering.clusters(keys)),
    search(collection) {
      let loader = searches.get(collection.key);
      if (!loader) {
        loader = new DataLoader((reqs) => services.search.searchMany(collection, [...reqs]), { cache: false, maxBatchSize: 100 });
        searches.set(collection.key, loader);
      }
      return loader;
    },
  };
}
