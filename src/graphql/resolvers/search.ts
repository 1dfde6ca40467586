import type { Resolvers } from '../generated/resolvers-types.js';
import { checkText } from '../../services/validate.js';
import { collectionAfter } from './documents.js';

export const searchResolvers: Resolvers = {
  Query: {
    search: async (_, args, ctx) => {
      if (args.text != null) checkText(args.text, ctx.services.config.limits);
      const c = await collectionAfter(ctx, args.collection, args.afterSeq);
      return ctx.loaders.search(c).load(args);
    },
  },
};
