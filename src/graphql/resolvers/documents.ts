import { badInput, notFound } from '../../errors.js';
import type { CollectionRow } from '../../services/records.js';
import { checkBatch } from '../../services/validate.js';
import { requireScope } from '../auth.js';
import type { RequestContext } from '../context.js';
import { connection, decodeCursor, pageSize } from '../cursor.js';
import type { Resolvers } from '../generated/resolvers-types.js';

/** The named collection, or NOT_FOUND (through the per-request loader). */
export async function collectionOrThrow(ctx: RequestContext, name: string) {
  const c = await ctx.loaders.collection.load(name);
  if (!c) throw notFound(`collection "${name}" does not exist`);
  return c;
}

/**
 * The named collection (NOT_FOUND when absent) for a read; with `afterSeq` (read your writes) it
 * is read from the store, not the cache (the seq covers collections created or deleted before its
 * write, on any process), and the read waits (bounded) until this process's index of it reflects
 * `afterSeq`.
 */
export async function collectionAfter(ctx: RequestContext, name: string, afterSeq: number | null | undefined): Promise<CollectionRow> {
  if (afterSeq == null) return collectionOrThrow(ctx, name);
  if (!Number.isInteger(afterSeq) || afterSeq < 0) throw badInput(`afterSeq must be a non-negative integer, got ${afterSeq}`);
  const c = await ctx.services.collections.current(name);
  if (!c) throw notFound(`collection "${name}" does not exist`);
  await ctx.services.indexes.waitForSeq(c, afterSeq, ctx.services.config.afterSeqTimeoutMs);
  return c;
}

export const documentResolvers: Resolvers = {
  Query: {
    documents: async (_, { collection, filter, first, after, afterSeq }, ctx) => {
      const c = await collectionAfter(ctx, collection, afterSeq);
      const n = pageSize(first);
      const { rows, total } = await ctx.services.documents.list(c, filter, { first: n + 1, afterKey: decodeCursor('document', after) });
      return connection('document', rows, n, (d) => d.key, total);
    },
    documentsById: async (_, { collection, ids }, ctx) => {
      const c = await collectionOrThrow(ctx, collection);
      checkBatch('ids', ids.length, ctx.services.config.limits);
      return ctx.loaders.documents(c).loadMany(ids).then((rows) =>
        rows.map((r) => {
          if (r instanceof Error) throw r;
          return r;
        }),
      );
    },
  },
  Mutation: {
    upsertDocuments: async (_, { collection, documents }, ctx) => {
      requireScope(ctx, 'write');
      const c = await collectionOrThrow(ctx, collection);
      return ctx.services.documents.upsert(c, documents);
    },
    deleteDocuments: async (_, { collection, ids }, ctx) => {
      requireScope(ctx, 'write');
      const c = await collectionOrThrow(ctx, collection);
      return ctx.services.documents.delete(c, ids);
    },
  },
  Document: {
    metadata: (d) => d.metadata,
    createdAt: (d) => d.createdAt.toISOString(),
    updatedAt: (d) => d.updatedAt.toISOString(),
  },
};
