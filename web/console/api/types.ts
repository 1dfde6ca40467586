/** The shapes the console reads from the GraphQL API (schema/*.graphql), as far as it asks for them. */

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface Connection<T> {
  totalCount: number;
  nodes: T[];
  pageInfo: PageInfo;
}

export type Metadata = Record<string, unknown> | null;

export interface Doc {
  id: string;
  text: string;
  metadata: Metadata;
}

export interface SearchHit {
  score: number;
  distance?: number;
  document: Doc;
}

export interface EncoderModule {
  name: string;
  version: string;
  dims: number;
  backend: string | null;
}

export interface Collection {
  name: string;
  metric: string;
  documentCount: number;
  indexedCount: number;
  deletedCount: number;
  module: EncoderModule;
  createdAt: string;
}

export type JobStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface ClusteringSummary {
  id: string;
  collection: string;
  k: number | null;
  status: JobStatus;
  progress: number;
  error: string | null;
  documentCount: number | null;
  createdAt: string;
}

export interface Cluster {
  id: string;
  size: number;
  label: string;
  autoLabel: string;
  reviewed: boolean;
  noise: boolean;
  mergedInto: string | null;
  keywords: string[];
}

export interface Clustering extends ClusteringSummary {
  /** The metadata filter the documents were selected by, or null for the whole collection. */
  filter: Record<string, unknown> | null;
  quality: { silhouette: number | null } | null;
  projection: { method: string; sampleSize: number; neighbors: number; seed: number } | null;
  clusters: Cluster[];
}

export interface ClusterPoint {
  documentId: string;
  x: number;
  y: number;
  cluster: string;
  sampled: boolean;
}

export type HeadKind = 'LOGISTIC' | 'DNN' | 'KNN';

export interface ClassifierMetrics {
  n: number;
  accuracy: number;
  macroF1: number;
  confusion: number[][];
  perClass: { label: string; precision: number; recall: number; f1: number; support: number }[];
  sliceBy: string | null;
  perSlice: { slice: string | null; n: number; accuracy: number; macroF1: number }[];
  sliceGap: { best: string | null; worst: string | null; gap: number } | null;
  warning: string | null;
  refit: boolean;
}

export interface Classifier {
  name: string;
  version: number;
  head: HeadKind;
  labelKey: string;
  labels: string[];
  trainedOn: number;
  validatedOn: number;
  skipped: number;
  metrics: ClassifierMetrics | null;
}

export interface Prediction {
  label: string;
  probability: number;
  scores: { label: string; score: number }[];
  evidence: SearchHit[] | null;
}
