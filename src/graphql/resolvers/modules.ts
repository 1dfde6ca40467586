import type { ModuleBinding, ModuleInfo } from '../../services/records.js';
import { requireScope } from '../auth.js';
import type { RequestContext } from '../context.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import type { ModuleView } from '../models.js';

const view = (m: ModuleInfo): ModuleView => ({ ...m, loaded: true });

/**
 * The EncoderModule view of the module a collection or a classifier head is bound to: its backend,
 * input kind and source come from this server's module of the same name and sha256, and it is
 * marked loaded only when there is one.
 */
export function boundModuleView(ctx: RequestContext, m: ModuleBinding): ModuleView {
  const loaded = ctx.services.modules.list().find((l) => l.name === m.name && l.sha256 === m.sha256);
  return { ...m, backend: loaded?.backend ?? null, inputKind: loaded?.inputKind ?? null, source: loaded?.source ?? null, loaded: Boolean(loaded) };
}

export const moduleResolvers: Resolvers = {
  Query: {
    modules: (_, __, ctx) => ctx.services.modules.list().map(view),
    similarity: (_, { module, a, b }, ctx) => ctx.services.similarity.matrix(module, a, b),
  },
  Mutation: {
    loadModule: async (_, spec, ctx) => {
      requireScope(ctx, 'admin');
      return view(await ctx.services.modules.register({ ...spec, sha256: spec.sha256 ?? undefined }));
    },
  },
};
