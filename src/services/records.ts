/**
 * The records services hand to their callers, as the API layer names them: the store's rows and
 * the module registry's descriptions. graphql/ imports them from here (codegen maps its parent types
 * to them), so it depends on services alone; a record that stops matching the row it is read from
 * gets its own type here.
 */
export type {
  ClassifierMetrics,
  ClassifierRow,
  ClusteringQuality,
  ClusteringRow,
  ClusterProjection,
  ClusterRow,
  CollectionRow,
  DocumentRow,
  JobRow,
  Metric,
  ModuleBinding,
} from '../store/types.js';
export type { ModuleInfo } from '../modules/types.js';
export type { AppliedLabels, ClusterPoint } from './clustering/review.js';
export type { ReviewedCluster } from './clustering/review-state.js';
