import { requireScope } from '../auth.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { collectionOrThrow } from './documents.js';
import { boundModuleView } from './modules.js';

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
    module: (row, _, ctx) => boundModuleView(ctx, row.module),
    createdAt: (row) => row.createdAt.toISOString(),
  },
  ClassifierMetrics: {
    refit: (m) => m.refit ?? false,
    sliceBy: (m) => m.sliceBy ?? null,
  },
  Prediction: {
    classifierVersion: (p) => p.classifier.version,
    module: (p, _, ctx) => boundModuleView(ctx, p.classifier.module),
    evidence: (p) => p.evidence,
  },
};
