import type { Metric as StoreMetric } from '../../services/records.js';
import { requireScope } from '../auth.js';
import { connection, decodeCursor, pageSize } from '../cursor.js';
import type { Metric, Resolvers } from '../generated/resolvers-types.js';
import { boundModuleView } from './modules.js';

const toStoreMetric = (m: Metric | null | undefined): StoreMetric | undefined =>
  m ? (m.toLowerCase() as StoreMetric) : undefined;

export const collectionResolvers: Resolvers = {
  Query: {
    collection: (_, { name }, ctx) => ctx.loaders.collection.load(name),
    collections: async (_, { first, after }, ctx) => {
      const n = pageSize(first);
      const rows = await ctx.services.collections.list({ first: n + 1, afterKey: decodeCursor('collection', after) });
      return connection('collection', rows, n, (c) => c.key, () => ctx.services.collections.count());
    },
  },
  Mutation: {
    createCollection: (_, { name, module, metric, hnsw }, ctx) => {
      requireScope(ctx, 'admin');
      return ctx.services.collections.create({ name, module, metric: toStoreMetric(metric), hnsw });
    },
    deleteCollection: (_, { name }, ctx) => {
      requireScope(ctx, 'admin');
      ctx.loaders.collection.clear(name);
      return ctx.services.collections.delete(name);
    },
  },
  Collection: {
    module: (c, _, ctx) => boundModuleView(ctx, c.module),
    metric: (c) => c.metric.toUpperCase() as Metric,
    documentCount: (c, _, ctx) => ctx.services.documents.count(c),
    indexedCount: (c, _, ctx) => ctx.services.indexes.indexedCount(c),
    deletedCount: (c, _, ctx) => ctx.services.documents.countDeleted(c),
    seq: (c, _, ctx) => ctx.services.indexes.storeSeq(c),
    hnsw: (c) => c.hnsw,
    createdAt: (c) => c.createdAt.toISOString(),
  },
};
