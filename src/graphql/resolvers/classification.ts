import type { ModuleBinding } from '../../store/types.js';
import { requireScope } from '../auth.js';
import type { RequestContext } from '../context.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import type { ModuleView } from '../models.js';
import { collectionOrThrow } from './documents.js';

/** An EncoderModule view of the module a head was trained on, marked loaded when this server has it. */
function moduleView(ctx: RequestContext, m: ModuleBinding): ModuleView {
  const loaded = ctx.services.modules.list().find((l) => l.name === m.name && l.sha256 === m.sha256);
  return { ...m, backend: loaded?.backend ?? null, inputKind: loaded?.inputKind ?? null, source: loaded?.source ?? null, loaded: Boolean(loaded) };
}

export const classificationResolvers: Resolvers = {
  Query: {
    classifier: async (_, { collection, name, version }, ctx) => {
      const c = await collectionOrThrow(ctx, collection);
      return ctx.services.classification.find(c, name, version);
    },
    classifiers: async (_, { collection }, ctx) => ctx.services.classification.list(await collectionOrThrow(ctx, collection)),
    classify: async (_, { collection, classifier, texts, version }, ctx) => {
      const c = await collectionOrThrow(ctx, collection);
      return ctx.services.classification.classify(c, classifier, texts, version);
    },
  },
  Mutation: {
    trainClassifier: async (_, { collection, ...args }, ctx) => {
      requireScope(ctx, 'write');
      return ctx.services.classification.train(await collectionOrThrow(ctx, collection), args);
    },
    deleteClassifier: async (_, { collection, name, version }, ctx) => {
      requireScope(ctx, 'write');
      return ctx.services.classification.delete(await collectionOrThrow(ctx, collection), name, version);
    },
    classifyDocuments: async (_, { collection, classifier, filter, writeTo, version }, ctx) => {
      requireScope(ctx, 'write');
      return ctx.services.classification.classifyDocuments(await collectionOrThrow(ctx, collection), { classifier, filter, writeTo, version });
    },
  },
  Classifier: {
    versions: (row, _, ctx) => ctx.services.classification.versions(row),
    module: (row, _, ctx) => moduleView(ctx, row.module),
    createdAt: (row) => row.createdAt.toISOString(),
  },
  ClassifierMetrics: {
    sliceBy: (m) => m.sliceBy ?? null,
  },
  Prediction: {
    classifierVersion: (p) => p.classifier.version,
    module: (p, _, ctx) => moduleView(ctx, p.classifier.module),
    evidence: (p) => p.evidence,
  },
};
