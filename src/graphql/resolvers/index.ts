import type { Resolvers } from '../generated/resolvers-types.js';
import { JSONScalar } from '../scalars.js';
import { classificationResolvers } from './classification.js';
import { clusteringResolvers } from './clustering.js';
import { collectionResolvers } from './collections.js';
import { documentResolvers } from './documents.js';
import { jobResolvers } from './jobs.js';
import { migrationResolvers } from './migrations.js';
import { moduleResolvers } from './modules.js';
import { searchResolvers } from './search.js';

const parts: Resolvers[] = [collectionResolvers, documentResolvers, moduleResolvers, jobResolvers, searchResolvers, clusteringResolvers, classificationResolvers, migrationResolvers];

/** All resolvers merged by type name. */
export const resolvers: Resolvers = parts.reduce<Record<string, Record<string, unknown>>>(
  (acc, part) => {
    for (const [type, fields] of Object.entries(part)) acc[type] = { ...(acc[type] ?? {}), ...(fields as object) };
    return acc;
  },
  { JSON: JSONScalar as unknown as Record<string, unknown> },
) as Resolvers;
