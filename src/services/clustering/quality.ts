/**
 * External quality of a clustering against gold labels read from document metadata: the value
 * under `evaluateAgainst` (dotted keys reach into nested objects) is a document's gold label;
 * documents without it (missing or null) are left out of the metrics and counted.
 */
import { clusterMetrics } from '../../ml/cluster-metrics.js';
import type { ClusteringQuality } from '../../store/types.js';
import { lookup } from '../filter.js';

/** The external part of ClusteringQuality. */
export type ExternalQuality = Pick<
  ClusteringQuality,
  'evaluatedAgainst' | 'evaluatedCount' | 'missingLabelCount' | 'nmi' | 'ari' | 'vMeasure' | 'homogeneity' | 'completeness'
>;

/** A label string that keeps JSON types apart ("5" and 5 are different classes). */
function goldLabel(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? `s:${value}` : `j:${JSON.stringify(value)}`;
}

/** NMI, ARI, V-measure, homogeneity and completeness of `assignments` against the labels under `key`. */
export function externalQuality(
  metadata: readonly (Record<string, unknown> | null)[],
  assignments: ArrayLike<number>,
  key: string | null,
): ExternalQuality {
  const none = { nmi: null, ari: null, vMeasure: null, homogeneity: null, completeness: null };
  if (key === null) return { evaluatedAgainst: null, evaluatedCount: 0, missingLabelCount: 0, ...none };
  const gold: string[] = [];
  const pred: number[] = [];
  metadata.forEach((m, i) => {
    const label = goldLabel(lookup(m, key));
    if (label === null) return;
    gold.push(label);
    pred.push(assignments[i]!);
  });
  const counts = { evaluatedAgainst: key, evaluatedCount: gold.length, missingLabelCount: metadata.length - gold.length };
  if (gold.length === 0) return { ...counts, ...none };
  return { ...counts, ...clusterMetrics(gold, pred) };
}
