import type { Cluster } from '../api/types';

/** Tableau 20: distinct, colour-blind-aware categorical colours (Tableau's palette, as in d3-scale-chromatic). */
const TABLEAU_20 = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
  '#a0cbe8', '#ffbe7d', '#ff9d9a', '#86bcb6', '#8cd17d', '#f1ce63', '#d4a6c8', '#fabfd2', '#d7b5a6', '#79706e',
];
/** Noise clusters are drawn in a pale grey. */
export const NOISE_COLOR = '#d0d0d0';

/** A cluster's base colour by its position (ids beyond 20 repeat the palette). */
export function paletteColor(index: number): string {
  return TABLEAU_20[index % TABLEAU_20.length]!;
}

/** Where a merged cluster's documents went: follows mergedInto to the cluster that kept them. */
export function mergeTarget(clusters: Map<string, Cluster>, id: string): string {
  let current = id;
  for (let hops = 0; hops < clusters.size; hops++) {
    const next = clusters.get(current)?.mergedInto;
    if (!next) break;
    current = next;
  }
  return current;
}

/**
 * The colour drawn for each cluster, in `clusters` order: its own palette colour, the colour of the
 * cluster it was merged into, or grey for noise.
 */
export function clusterColors(clusters: Cluster[]): string[] {
  const byId = new Map(clusters.map((c) => [c.id, c]));
  const position = new Map(clusters.map((c, i) => [c.id, i]));
  return clusters.map((c) => {
    const target = byId.get(mergeTarget(byId, c.id))!;
    return target.noise ? NOISE_COLOR : paletteColor(position.get(target.id)!);
  });
}
