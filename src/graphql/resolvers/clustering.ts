import { reviewedClusters } from '../../services/clustering/review-state.js';
import type { ClusteringRow } from '../../services/records.js';
import { requireScope } from '../auth.js';
import type { RequestContext } from '../context.js';
import { connection, decodeCursor, pageSize } from '../cursor.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import type { ClusterModel } from '../models.js';
import { collectionOrThrow } from './documents.js';

/** Longest id a clustering lookup considers (ids are UUIDs); longer ones are simply not found. */
const MAX_ID = 128;

/** Points per page of `Clustering.points`: default and most. */
const POINTS_PAGE = { def: 1000, max: 10_000 };

async function clustersOf(ctx: RequestContext, clustering: ClusteringRow): Promise<ClusterModel[]> {
  const rows = await ctx.loaders.clusters.load(clustering.key);
  return reviewedClusters(rows).map((view) => ({ ...view, clustering }));
}

/** A cluster after a review mutation changed it (read fresh: the mutation may follow another in the request). */
async function reviewed(ctx: RequestContext, { clustering, index }: { clustering: ClusteringRow; index: number }): Promise<ClusterModel> {
  ctx.loaders.clusters.clear(clustering.key);
  return (await clustersOf(ctx, clustering))[index]!;
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
    renameCluster: async (_, { clustering, cluster, label }, ctx) => {
      requireScope(ctx, 'write');
      return reviewed(ctx, await ctx.services.clusterReview.rename(clustering, cluster, label));
    },
    markClusterNoise: async (_, { clustering, cluster, noise }, ctx) => {
      requireScope(ctx, 'write');
      return reviewed(ctx, await ctx.services.clusterReview.markNoise(clustering, cluster, noise ?? true));
    },
    mergeClusters: async (_, { clustering, into, from }, ctx) => {
      requireScope(ctx, 'write');
      const row = await ctx.services.clusterReview.merge(clustering, into, from);
      ctx.loaders.clusters.clear(row.key);
      return row;
    },
    applyClusterLabels: (_, { clustering, key, overwrite }, ctx) => {
      requireScope(ctx, 'write');
      return ctx.services.clusterReview.applyLabels(clustering, key, overwrite ?? true);
    },
  },
  Clustering: {
    collection: (c) => c.collectionName,
    job: (c, _, ctx) => ctx.services.jobs.get(c.id),
    filter: (c) => c.filter ?? null,
    clusters: (c, _, ctx) => clustersOf(ctx, c),
    cluster: async (c, { id }, ctx) => (await clustersOf(ctx, c)).find((m) => String(m.row.index) === id) ?? null,
    projection: (c) => (c.status === 'SUCCEEDED' ? c.projection : null),
    points: async (c, { first, after }, ctx) => {
      const n = pageSize(first, POINTS_PAGE.max, POINTS_PAGE.def);
      const { rows, total } = await ctx.services.clusterReview.points(c, { first: n + 1, afterKey: decodeCursor('point', after) });
      return connection('point', rows, n, (p) => p.documentKey, total);
    },
    createdAt: (c) => c.createdAt.toISOString(),
    updatedAt: (c) => c.updatedAt.toISOString(),
  },
  Cluster: {
    id: ({ row }) => String(row.index),
    autoLabel: ({ row }) => row.label,
    reviewed: ({ row }) => row.reviewedLabel !== null,
    noise: ({ row }) => row.noise,
    mergedInto: ({ row }) => (row.mergedInto === null ? null : String(row.mergedInto)),
    keywords: ({ row }) => row.keywords.map((k) => k.term),
    representatives: async ({ row: cluster, clustering }, _, ctx) => {
      const docs = await ctx.loaders.documentsByKey(clustering.collectionKey).loadMany(cluster.representatives.map((r) => r.documentKey));
      // a representative deleted since the clustering ran drops out
      return cluster.representatives.flatMap((r, i) => {
        const document = docs[i];
        if (document instanceof Error) throw document;
        return document ? [{ document, score: r.score, distance: r.distance }] : [];
      });
    },
    documents: async ({ members, clustering }, { first, after }, ctx) => {
      const n = pageSize(first);
      const { rows, total } = await ctx.services.clustering.documents(clustering.key, members, { first: n + 1, afterKey: decodeCursor('document', after) });
      return connection('document', rows, n, (d) => d.key, total);
    },
  },
  ClusterPoint: {
    documentId: (p) => p.documentId,
    cluster: (p) => String(p.finalCluster),
  },
};

