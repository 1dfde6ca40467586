import type { Resolvers } from '../generated/resolvers-types.js';
import { collectionOrThrow } from './documents.js';

export const searchResolvers: Resolvers = {
  Query: {
    search: async (_, args, ctx) => {
      const c = await collectionOrThrow(ctx, args.collection);
      return ctx.loaders.search(c).load(args);
    },
  },
};
