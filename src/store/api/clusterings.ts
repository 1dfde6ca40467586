/**
 * Clusterings: a k-means run over (the filtered part of) a collection, stored with its job (same
 * id), its clusters and every document's assignment.
 */
import type { ModuleBinding, PageRequest } from './collections.js';
import type { DocumentRow } from './documents.js';
import type { JobLease, JobStatus } from './jobs.js';

/** What `clusterCollection` was asked for; stored with the clustering and as its job's params. */
export interface ClusteringParams {
  /** k as the caller gave it; null when the server chooses k. */
  kRequested: number | null;
  seed: number;
  restarts: number;
  /** The metadata filter as the caller sent it (a JSON value), or null for the whole collection. */
  filter: unknown;
  /** Metadata key whose values are the gold labels of the external metrics, or null. */
  evaluateAgainst: string | null;
}

/** How good a finished clustering is; the external metrics only with `evaluateAgainst`. */
export interface ClusteringQuality {
  /** Mean silhouette (cosine distance; euclidean for l2 collections) on a seeded sample; null when undefined (k = n). */
  silhouette: number | null;
  /** Documents the silhouette was computed on. */
  silhouetteSampleSize: number;
  /** k-means inertia: summed squared Euclidean distance of the documents to their centroids. */
  inertia: number;
  /** The metadata key the gold labels came from, or null. */
  evaluatedAgainst: string | null;
  /** Documents that had a label under `evaluatedAgainst` and were scored. */
  evaluatedCount: number;
  /** Documents without that key (null or missing), excluded from the external metrics. */
  missingLabelCount: number;
  /** External metrics against the gold labels (scikit-learn definitions); null without labels. */
  nmi: number | null;
  ari: number | null;
  vMeasure: number | null;
  homogeneity: number | null;
  completeness: number | null;
}

/** How a finished clustering's 2D map (the x, y of its assignments) was computed. */
export interface ClusterProjection {
  /** "umap" (UMAP on a sample, the rest placed by their nearest sampled neighbours). */
  method: string;
  /** Documents UMAP laid out; the others were placed. */
  sampleSize: number;
  /** Nearest neighbours per document (UMAP's n_neighbors, and the sampled ones a placed document is averaged over). */
  neighbors: number;
  seed: number;
}

/** A clustering of (the filtered part of) a collection: its parameters, state and result summary. */
export interface ClusteringRow extends ClusteringParams {
  /** Internal numeric key (pagination order); never shown to clients. */
  key: number;
  /** Public id, shared with the job that computes it. */
  id: string;
  collectionKey: number;
  collectionName: string;
  status: JobStatus;
  progress: number;
  /** Why it FAILED (a message safe for clients), else null. */
  error: string | null;
  /** Number of clusters: the requested k, or the chosen one once chosen (null until then). */
  k: number | null;
  /** How k was set: "requested", or chooseK's one-line reason. Null until known. */
  kChosenBy: string | null;
  /** Documents clustered (null until SUCCEEDED). */
  documentCount: number | null;
  quality: ClusteringQuality | null;
  /** How the 2D map was computed; null until SUCCEEDED (and for clusterings stored without one). */
  projection: ClusterProjection | null;
  /** The module whose vectors it is computed with: the collection's bound module when it was started (null for clusterings stored before module migrations). */
  module: ModuleBinding | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A keyword of a cluster with its c-TF-IDF weight. */
export interface ClusterKeyword {
  term: string;
  score: number;
}

/**
 * A document near a cluster's centroid: cosine similarity to it, and the distance in the
 * collection's metric (1 - cosine; squared Euclidean for l2).
 */
export interface ClusterRepresentative {
  documentKey: number;
  score: number;
  distance: number;
}

/** One cluster of a finished clustering. */
export interface ClusterRow {
  clusteringKey: number;
  /** 0..k-1. */
  index: number;
  /** Documents assigned when the clustering ran (later deletions do not change it). */
  size: number;
  label: string;
  keywords: ClusterKeyword[];
  /** The documents nearest the centroid, best first. */
  representatives: ClusterRepresentative[];
  /** The label a reviewer gave it (renameCluster), else null: `label` stays the automatic one. */
  reviewedLabel: string | null;
  /** Marked as noise by a reviewer. */
  noise: boolean;
  /** The cluster it was merged into (its documents count for that one), else null. */
  mergedInto: number | null;
}

/** What a finished clustering job stores in one transaction. */
export interface ClusteringOutcome {
  k: number;
  kChosenBy: string;
  quality: ClusteringQuality;
  clusters: Omit<ClusterRow, 'clusteringKey' | 'reviewedLabel' | 'noise' | 'mergedInto'>[];
  /** Clustered document keys and, at the same positions, their cluster (0..k-1). */
  documentKeys: ArrayLike<number>;
  assignments: ArrayLike<number>;
  /** The 2D map: how it was made, and per position (as documentKeys) x = xy[2i], y = xy[2i+1] and whether UMAP laid it out; absent: no map. */
  projection?: { info: ClusterProjection; xy: ArrayLike<number>; sampled: ArrayLike<number> } | null;
}

/** A clustering's state change; mirrored onto its job. */
export type ClusteringPatch = Partial<Pick<ClusteringRow, 'status' | 'progress' | 'error' | 'k' | 'kChosenBy'>>;

/** A clustering to create (see createClustering). */
export interface NewClustering {
  id: string;
  collectionKey: number;
  params: ClusteringParams;
  claim?: JobLease;
}

/** The clusterings of a store's collections, with their clusters and assignments. */
export interface ClusteringStore {
  /**
   * Creates a PENDING clustering of the collection and, in the same transaction, its job (same
   * id, kind "cluster", the params as job params; claimed by `claim` when given, as createJob).
   * NOT_FOUND when the collection is gone.
   */
  createClustering(c: NewClustering): Promise<ClusteringRow>;
  /**
   * Applies `patch` to a clustering and mirrors status, progress and error onto its job, bumping
   * both updatedAt (an empty patch is a heartbeat). A clustering that no longer exists is ignored.
   */
  updateClustering(id: string, patch: ClusteringPatch): Promise<void>;
  /**
   * Stores a finished clustering in ONE transaction: its clusters, every assignment, k, quality,
   * status SUCCEEDED and progress 1, and the job SUCCEEDED with a summary result. Returns false
   * (writing nothing) when the clustering is gone or no longer PENDING/RUNNING.
   */
  finishClustering(id: string, outcome: ClusteringOutcome): Promise<boolean>;
  /** The clustering with this id, or null. */
  getClustering(id: string): Promise<ClusteringRow | null>;
  /** Clusterings of a collection, oldest first (by key); `afterKey` is exclusive. */
  listClusterings(collectionKey: number, page: PageRequest): Promise<ClusteringRow[]>;
  countClusterings(collectionKey: number): Promise<number>;
  /** Deletes a clustering with its clusters, assignments and job; false when absent. */
  deleteClustering(id: string): Promise<boolean>;
  /**
   * Marks PENDING/RUNNING clusterings last updated before `staleBefore` FAILED with `error`, and
   * their jobs too (the process running them died), except those whose job's lease still holds (a
   * live owner renews it). Returns their ids.
   */
  failStaleClusterings(staleBefore: Date, error: string): Promise<string[]>;
  /** The clusters of each clustering key, in key order; each list ordered by index (empty until SUCCEEDED). */
  getClusters(clusteringKeys: number[]): Promise<ClusterRow[][]>;
  /**
   * Live documents assigned to any of `members` (a cluster and those merged into it) of a
   * clustering, ordered by document key (`afterKey` exclusive): assignments joined to the
   * documents, so deleted ones drop out.
   */
  listClusterDocuments(clusteringKey: number, members: readonly number[], page: PageRequest): Promise<DocumentRow[]>;
  /** How many live documents `listClusterDocuments` pages through. */
  countClusterDocuments(clusteringKey: number, members: readonly number[]): Promise<number>;
}

/** The methods of ClusteringStore (the binder's list; the compiler keeps it complete). */
export const CLUSTERING_METHODS: Record<keyof ClusteringStore, true> = {
  createClustering: true, updateClustering: true, finishClustering: true, getClustering: true, listClusterings: true,
  countClusterings: true, deleteClustering: true, failStaleClusterings: true, getClusters: true, listClusterDocuments: true,
  countClusterDocuments: true,
};
