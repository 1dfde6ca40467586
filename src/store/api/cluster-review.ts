/**
 * What a reviewer sees and changes of a finished clustering: the 2D map (every assignment's x, y)
 * and the review state of each cluster (a reviewed label, noise, the cluster it was merged into).
 */
import type { PageRequest } from './collections.js';

/** One live assigned document on a clustering's map. */
export interface ClusterPointRow {
  documentKey: number;
  documentId: string;
  /** The cluster k-means assigned (before merges). */
  cluster: number;
  x: number;
  y: number;
  /** True where UMAP laid it out; false where it was placed from its nearest sampled neighbours. */
  sampled: boolean;
}

/** A change to one cluster's review state; absent fields stay as they are. */
export interface ClusterReviewPatch {
  cluster: number;
  /** The reviewer's label; null goes back to the automatic one. */
  reviewedLabel?: string | null;
  noise?: boolean;
  /** The cluster it is merged into; null for none. */
  mergedInto?: number | null;
}

/** The map and review state of clusterings. */
export interface ClusterReviewStore {
  /**
   * The live assigned documents of a clustering that have a place on its map, ordered by document
   * key (`afterKey` exclusive). Empty for a clustering stored without a map.
   */
  listClusterPoints(clusteringKey: number, page: PageRequest): Promise<ClusterPointRow[]>;
  /** How many documents `listClusterPoints` pages through. */
  countClusterPoints(clusteringKey: number): Promise<number>;
  /** Applies the patches to the clusters of a clustering in ONE transaction; returns how many clusters changed. */
  reviewClusters(clusteringKey: number, patches: readonly ClusterReviewPatch[]): Promise<number>;
}

/** The methods of ClusterReviewStore (the binder's list; the compiler keeps it complete). */
export const CLUSTER_REVIEW_METHODS: Record<keyof ClusterReviewStore, true> = {
  listClusterPoints: true, countClusterPoints: true, reviewClusters: true,
};
