/**
 * Serving a stored head: class probabilities for vectors, then predictions in label terms.
 * LOGISTIC and DNN heads run their network forward on the main thread in small chunks (a few
 * milliseconds each, yielding in between); KNN heads ask the collection's index of their module for
 * the k nearest labelled documents and let them vote by similarity, returning them as the evidence.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { knnVote } from '../../ml/heads/knn.js';
import { predictProbabilities, type DenseNet } from '../../ml/heads/net.js';
import { jsOps } from '../../ml/heads/ops.js';
import type { ClassifierRow, CollectionRow } from '../../store/types.js';
import { labelOf } from './data.js';
import { lookup } from '../filter.js';
import type { Hit, SearchService } from '../search.js';

/** One label's probability. */
export interface LabelScore {
  label: string;
  score: number;
}

/** A prediction: the most probable label, every label's probability, and for KNN the voting neighbours. */
export interface PredictionModel {
  label: string;
  probability: number;
  /** Every label of the head, in its label order. */
  scores: LabelScore[];
  classifier: ClassifierRow;
  /** The neighbours that voted (KNN), best first; null for the other heads. */
  evidence: Hit[] | null;
}

/** Rows per forward chunk between yields to the event loop. */
const CHUNK = 64;

/** Class probabilities (m × classes) of `vectors` through a network, yielding between chunks. */
export async function netProbabilities(net: DenseNet, vectors: Float32Array[]): Promise<Float32Array> {
  const dims = net.layers[0]!;
  const classes = net.layers.at(-1)!;
  const out = new Float32Array(vectors.length * classes);
  for (let start = 0; start < vectors.length; start += CHUNK) {
    if (start > 0) await yieldToLoop();
    const part = vectors.slice(start, start + CHUNK);
    const x = new Float32Array(part.length * dims);
    part.forEach((v, i) => x.set(v, i * dims));
    out.set(predictProbabilities(net, x, part.length, jsOps), start * classes);
  }
  return out;
}

/** The raw filter a KNN head searches its neighbours with: its training filter and a label present. */
function neighbourFilter(row: ClassifierRow): unknown {
  const labelled = { [row.labelKey]: { ne: null } };
  const trained = row.hyperparameters.filter;
  return trained == null ? labelled : { and: [trained, labelled] };
}

/**
 * KNN probabilities of `vectors` (m × classes) and their neighbours. `exclude[i]`, when given, is
 * the document key of query i itself (classifying stored documents): it never votes for itself.
 */
export async function knnPredict(search: SearchService, collection: CollectionRow, row: ClassifierRow, vectors: Float32Array[], exclude?: number[]): Promise<{ probabilities: Float32Array; evidence: Hit[][] }> {
  const k = Number(row.hyperparameters.k);
  const filter = neighbourFilter(row);
  // the head's module: the bound one, or for a stale head pinned by version the previous module's vectors
  const hits = await search.searchMany(collection, vectors.map((v) => ({ vector: Array.from(v), filter, limit: Math.min(100, exclude ? k + 1 : k) })), { module: row.module });
  const index = new Map(row.labels.map((l, i) => [l, i]));
  const classes = row.labels.length;
  const probabilities = new Float32Array(vectors.length * classes);
  const evidence = hits.map((list, i) => {
    const voters = list.filter((h) => exclude?.[i] !== h.document.key).slice(0, k);
    const cls = voters.map((h) => index.get(labelOf(lookup(h.document.metadata, row.labelKey)) ?? '') ?? -1);
    probabilities.set(knnVote(cls, voters.map((h) => h.score), classes), i * classes);
    return voters;
  });
  return { probabilities, evidence };
}

/** Predictions from probabilities (m × labels.length); the first label wins ties. */
export function toPredictions(probabilities: Float32Array, row: ClassifierRow, evidence: Hit[][] | null): PredictionModel[] {
  const classes = row.labels.length;
  const m = probabilities.length / classes;
  return Array.from({ length: m }, (_, i) => {
    const scores = row.labels.map((label, c) => ({ label, score: probabilities[i * classes + c]! }));
    const best = scores.reduce((a, b) => (b.score > a.score ? b : a));
    return { label: best.label, probability: best.score, scores, classifier: row, evidence: evidence ? evidence[i]! : null };
  });
}
