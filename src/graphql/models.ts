import type { ClassifierMetrics, ClusteringRow, ClusterPoint, ClusterProjection, CollectionRow, DocumentRow, ReviewedCluster } from '../services/records.js';

/** What an EncoderModule field resolves from: a collection's binding or a loaded module's info. */
export interface ModuleView {
  name: string;
  version: string;
  dims: number;
  sha256: string;
  backend: string | null;
  backendNote?: string | null;
  inputKind: string | null;
  source: string | null;
  loaded: boolean;
}

/** A Relay connection whose totalCount is computed only when asked for. */
export interface ConnectionModel<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: () => Promise<number>;
}
export type CollectionConnectionModel = ConnectionModel<CollectionRow>;
export type DocumentConnectionModel = ConnectionModel<DocumentRow>;
export type ClusteringConnectionModel = ConnectionModel<ClusteringRow>;

/** What a Cluster field resolves from: the stored cluster as a reviewer sees it, and the clustering it belongs to. */
export interface ClusterModel extends ReviewedCluster {
  clustering: ClusteringRow;
}

/** A point of a clustering's map, its cluster resolved through merges. */
export type ClusterPointModel = ClusterPoint;
/** A page of a clustering's map (the schema shows no edges: a map reads nodes only). */
export type ClusterPointConnectionModel = ConnectionModel<ClusterPoint>;
/** How a clustering's map was computed. */
export type ClusterProjectionModel = ClusterProjection;

/** What a ClassifierMetrics field resolves from: the metrics stored with a head. */
export type ClassifierMetricsModel = ClassifierMetrics;
