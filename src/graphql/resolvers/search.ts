import type { Resolvers } from '../generated/resolvers-types.js';
import { checkText } from '../../services/validate.js';
import { collectionOrThrow, waitForSeq } from './documents.js';

export const searchResolvers: Resolvers = {
  Query: {
    search: async (_, args, ctx) => {
      if (args.text != null) checkText(args.text, ctx.services.config.limits);
      const c = await collectionOrThrow(ctx, args.collection);
      await waitForSeq(ctx, c, args.afterSeq);
      return ctx.loaders.search(c).load(args);
    },
  },
};
