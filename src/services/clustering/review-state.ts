/**
 * What a clustering's review state means for its clusters: a cluster merged into another
 * (mergeClusters) counts for that one, the "final" cluster, whose label, noise flag, size and
 * documents then cover both. Merges are kept flat (a cluster merged into a merged cluster is
 * re-pointed), but a chain is still followed here, with a guard against loops.
 */
import type { ClusterRow } from '../../store/types.js';

/** A cluster as a reviewer sees it. */
export interface ReviewedCluster {
  row: ClusterRow;
  /** The cluster whose documents these count as: itself unless merged. */
  final: number;
  /** It and the clusters merged into it, ascending (only itself when merged into another). */
  members: number[];
  /** Documents of `members` when the clustering ran. */
  size: number;
  /** The reviewed label if renamed, else the automatic one. */
  label: string;
}

/** The final cluster of each cluster index (rows ordered by index, as stored). */
export function finalClusters(rows: readonly ClusterRow[]): Int32Array {
  const out = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    let at = r;
    for (let hops = 0; at.mergedInto !== null && hops < rows.length; hops++) at = rows[at.mergedInto] ?? at;
    out[i] = at.index;
  });
  return out;
}

/** The review view of every cluster of a clustering. */
export function reviewedClusters(rows: readonly ClusterRow[]): ReviewedCluster[] {
  const finals = finalClusters(rows);
  const views = rows.map((row, i): ReviewedCluster => ({ row, final: finals[i]!, members: [], size: 0, label: row.reviewedLabel ?? row.label }));
  views.forEach((v, i) => {
    // a merged cluster still lists its own documents; its final one lists them too
    v.members.push(i);
    if (v.final !== i) views[v.final]!.members.push(i);
  });
  for (const v of views) {
    v.members.sort((a, b) => a - b);
    v.size = v.members.reduce((s, m) => s + rows[m]!.size, 0);
  }
  return views;
}
