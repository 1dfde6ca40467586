import { requireScope } from '../auth.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { collectionOrThrow } from './documents.js';
import { boundModuleView } from './modules.js';

/** Module migrations (schema/migrations.graphql): the mutations (admin scope) and the fields they add to Collection, Classifier and Clustering. */
export const migrationResolvers: Resolvers = {
  Mutation: {
    migrateCollection: async (_, { collection, module, retrainClassifiers }, ctx) => {
      requireScope(ctx, 'admin');
      return ctx.services.migrations.migrate(await collectionOrThrow(ctx, collection), module, retrainClassifiers ?? false);
    },
    revertMigration: async (_, { collection }, ctx) => {
      requireScope(ctx, 'admin');
      return ctx.services.migrations.revert(await collectionOrThrow(ctx, collection));
    },
    cancelMigration: async (_, { collection }, ctx) => {
      requireScope(ctx, 'admin');
      return ctx.services.migrations.cancel(await collectionOrThrow(ctx, collection));
    },
    dropPreviousVectors: async (_, { collection }, ctx) => {
      requireScope(ctx, 'admin');
      return ctx.services.migrations.dropPrevious(await collectionOrThrow(ctx, collection));
    },
  },
  Collection: {
    previousModule: (c, _, ctx) => (c.previousModule ? boundModuleView(ctx, c.previousModule) : null),
    migration: async (c, _, ctx) => {
      const m = await ctx.services.migrations.view(c);
      return m && { ...m, target: boundModuleView(ctx, m.target) };
    },
  },
  Classifier: {
    stale: async (row, _, ctx) => {
      const c = await ctx.services.collections.byKey(row.collectionKey);
      return c !== null && c.module.sha256 !== row.module.sha256;
    },
  },
  Clustering: {
    module: (row, _, ctx) => (row.module ? boundModuleView(ctx, row.module) : null),
  },
};
