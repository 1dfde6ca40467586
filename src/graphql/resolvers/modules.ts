import { badInput } from '../../errors.js';
import { cosineMatrix } from '../../modules/similarity.js';
import type { ModuleInfo } from '../../modules/types.js';
import { requireScope } from '../auth.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { checkText } from '../limits.js';
import type { ModuleView } from '../models.js';

/** Largest a x b similarity matrix one request may ask for. */
export const MAX_SIMILARITY_CELLS = 1_000_000;

const view = (m: ModuleInfo): ModuleView => ({ ...m, loaded: true });

export const moduleResolvers: Resolvers = {
  Query: {
    modules: (_, __, ctx) => ctx.services.modules.list().map(view),
    similarity: async (_, { module, a, b }, ctx) => {
      const { maxBatch } = ctx.services.config.limits;
      if (a.length + b.length > maxBatch) throw badInput(`a and b hold ${a.length + b.length} texts together; the limit is ${maxBatch}`);
      if (a.length * b.length > MAX_SIMILARITY_CELLS) throw badInput(`a x b is ${a.length * b.length} cells; the limit is ${MAX_SIMILARITY_CELLS}`);
      for (const t of [...a, ...b]) checkText(t, ctx.services.config.limits);
      const encoder = ctx.services.modules.get(module);
      const vectors = await encoder.embed([...a, ...b], { priority: 'interactive' });
      return cosineMatrix(vectors.slice(0, a.length), vectors.slice(a.length));
    },
  },
  Mutation: {
    loadModule: async (_, spec, ctx) => {
      requireScope(ctx, 'admin');
      return view(await ctx.services.modules.register({ ...spec, sha256: spec.sha256 ?? undefined }));
    },
  },
};
