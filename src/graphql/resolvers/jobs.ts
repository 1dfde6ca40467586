import type { Resolvers } from '../generated/resolvers-types.js';

export const jobResolvers: Resolvers = {
  Query: {
    job: (_, { id }, ctx) => (id.length > 128 ? null : ctx.services.jobs.get(id)),
  },
  Job: {
    leaseUntil: (j) => j.leaseUntil?.toISOString() ?? null,
    createdAt: (j) => j.createdAt.toISOString(),
    updatedAt: (j) => j.updatedAt.toISOString(),
  },
};
