import type { ClusteringRow } from '../../services/records.js';
import { requireScope } from '../auth.js';
import type { RequestContext } from '../context.js';
import { connection, decodeCursor, pageSize } from '../cursor.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import type { ClusterModel } from '../models.js';
import { collectionOrThrow } from './documents.js';

/** Longest id a clustering lookup considers (ids are UUIDs); longer ones are simply not found. */
const MAX_ID = 128;

async function clustersOf(ctx: RequestContext, clustering: ClusteringRow): Promise<ClusterModel[]> {
  const rows = await ctx.loaders.clusters.load(clustering.key);
  return rows.map((cluster) => ({ cluster, clustering }));
}

export const clusteringResolvers: Resolvers = {
  Query: {
    clustering: (_, { id }, ctx) => (id.length > MAX_ID ? null : ctx.services.clustering.get(id)),
    clusterings: async (_, { collection, first, after }, ctx) => {
      const c = await collectionOrThrow(ctx, collection);
      const n = pageSize(first);
      const rows = await ctx.services.clustering.list(c, { first: n + 1, afterKey: decodeCursor('clustering', after) });
      return connection('clustering', rows, n, (r) => r.key, () => ctx.services.clustering.count(c));
    },
  },
  Mutation: {
    clusterCollection: async (_, args, ctx) => {
      requireScope(ctx, 'write');
      const c = await collectionOrThrow(ctx, args.collection);
      return ctx.services.clustering.start(c, args);
    },
    deleteClustering: (_, { id }, ctx) => {
      requireScope(ctx, 'write');
      return id.length > MAX_ID ? false : ctx.services.clustering.delete(id);
    },
  },
  Clustering: {
    collection: (c) => c.collectionName,
    job: (c, _, ctx) => ctx.services.jobs.get(c.id),
    filter: (c) => c.filter ?? null,
    clusters: (c, _, ctx) => clustersOf(ctx, c),
    cluster: async (c, { id }, ctx) => (await clustersOf(ctx, c)).find((m) => String(m.cluster.index) === id) ?? null,
    createdAt: (c) => c.createdAt.toISOString(),
    updatedAt: (c) => c.updatedAt.toISOString(),
  },
  Cluster: {
    id: ({ cluster }) => String(cluster.index),
    size: ({ cluster }) => cluster.size,
    label: ({ cluster }) => cluster.label,
    keywords: ({ cluster }) => cluster.keywords.map((k) => k.term),
    representatives: async ({ cluster, clustering }, _, ctx) => {
      const docs = await ctx.loaders.documentsByKey(clustering.collectionKey).loadMany(cluster.representatives.map((r) => r.documentKey));
      // a representative deleted since the clustering ran drops out
      return cluster.representatives.flatMap((r, i) => {
        const document = docs[i];
        if (document instanceof Error) throw document;
        return document ? [{ document, score: r.score, distance: r.distance }] : [];
      });
    },
    documents: async ({ cluster, clustering }, { first, after }, ctx) => {
      const n = pageSize(first);
      const { rows, total } = await ctx.services.clustering.documents(clustering.key, cluster.index, { first: n + 1, afterKey: decodeCursor('document', after) });
      return connection('document', rows, n, (d) => d.key, total);
    },
  },
};

