/**
 * Reviewing a finished clustering: rename a cluster (the automatic label is kept), merge clusters,
 * mark one as noise, read the 2D map with each document in its final cluster, and write the
 * reviewed labels into the documents' metadata so a classifier head can be trained on them.
 * Every change needs the clustering SUCCEEDED; cluster ids are "0".."k-1".
 */
import { badInput, notFound } from '../../errors.js';
import type { ClusteringRow, ClusterPointRow, ClusterRow, CollectionRow, PageRequest, Store } from '../../store/types.js';
import { isMetadataKey } from '../filter.js';
import { finalClusters, reviewedClusters } from './review-state.js';

/** Longest reviewed label. */
const MAX_LABEL = 200;
/** Documents read and patched per transaction by applyLabels. */
const APPLY_PAGE = 500;

/** What applyLabels did. */
export interface AppliedLabels {
  /** Documents whose metadata key now holds their final cluster's label (it changed). */
  updated: number;
  /** Documents of noise clusters whose key was removed. */
  removed: number;
  /** Assigned live documents left as they were. */
  skipped: number;
  key: string;
  /** The collection's newest change after the writes (read your writes with afterSeq). */
  seq: number;
}

/** A point of the map, its cluster resolved through merges. */
export type ClusterPoint = ClusterPointRow & { finalCluster: number };

export class ClusterReviewService {
  /** `afterWrite` is called after documents were patched (the index catch-up). */
  constructor(private readonly store: Store, private readonly afterWrite: (collection: CollectionRow) => Promise<void>) {}

  /** Renames a cluster; an empty (or blank) label goes back to the automatic one. */
  async rename(clusteringId: string, cluster: string, label: string): Promise<{ clustering: ClusteringRow; index: number }> {
    const { clustering, index } = await this.target(clusteringId, cluster, 'rename');
    const trimmed = label.trim();
    if (trimmed.length > MAX_LABEL) throw badInput(`label has ${trimmed.length} characters; at most ${MAX_LABEL}`);
    await this.store.reviewClusters(clustering.key, [{ cluster: index, reviewedLabel: trimmed === '' ? null : trimmed }]);
    return { clustering, index };
  }

  /** Marks a cluster as noise (or not): applyLabels then leaves its documents without a label. */
  async markNoise(clusteringId: string, cluster: string, noise: boolean): Promise<{ clustering: ClusteringRow; index: number }> {
    const { clustering, index } = await this.target(clusteringId, cluster, 'mark as noise');
    await this.store.reviewClusters(clustering.key, [{ cluster: index, noise }]);
    return { clustering, index };
  }

  /**
   * Merges the `from` clusters into `into`: they (and any cluster merged into one of them) point
   * at `into`, whose size, documents and points then include theirs.
   */
  async merge(clusteringId: string, into: string, from: readonly string[]): Promise<ClusteringRow> {
    const { clustering, rows } = await this.succeeded(clusteringId);
    const target = clusterIndex(clustering, rows, into);
    if (rows[target]!.mergedInto !== null) {
      throw badInput(`cluster "${into}" is merged into cluster "${rows[target]!.mergedInto}"; merge into that one instead`);
    }
    if (from.length === 0) throw badInput('from must name at least one cluster to merge');
    const sources = new Set(from.map((id) => clusterIndex(clustering, rows, id)));
    if (sources.has(target)) throw badInput(`cluster "${into}" cannot be merged into itself: leave it out of from`);
    const finals = finalClusters(rows);
    // keep merges flat: what was merged into a source now points at the target too
    const moved = rows.filter((r) => sources.has(r.index) || sources.has(finals[r.index]!));
    await this.store.reviewClusters(clustering.key, moved.map((r) => ({ cluster: r.index, mergedInto: target })));
    return clustering;
  }

  /** One page of the map, ordered by document key; empty for a clustering without one. */
  async points(clustering: ClusteringRow, page: PageRequest): Promise<{ rows: ClusterPoint[]; total: () => Promise<number> }> {
    if (clustering.status !== 'SUCCEEDED' || !clustering.projection) return { rows: [], total: async () => 0 };
    const [points, [clusters]] = await Promise.all([this.store.listClusterPoints(clustering.key, page), this.store.getClusters([clustering.key])]);
    const finals = finalClusters(clusters ?? []);
    return {
      rows: points.map((p) => ({ ...p, finalCluster: finals[p.cluster] ?? p.cluster })),
      total: () => this.store.countClusterPoints(clustering.key),
    };
  }

  /**
   * Writes each assigned live document's final cluster label under metadata `key`, page by page
   * through the ordinary metadata write (new seq per changed document, followers notified). The
   * documents of noise clusters get no label: with `overwrite` their key is removed (a label an
   * earlier apply wrote goes away), without it they are left as they are. Without `overwrite`,
   * documents that already have the key keep it. Documents already holding their label are not rewritten.
   */
  async applyLabels(clusteringId: string, key: string, overwrite: boolean): Promise<AppliedLabels> {
    if (!isMetadataKey(key) || key.includes('.')) {
      throw badInput(`key "${key.slice(0, 80)}" must be a top-level metadata key (letters, digits, _ and -, at most 64 characters, no dots)`);
    }
    const { clustering, rows } = await this.succeeded(clusteringId);
    const collection = await this.store.getCollection(clustering.collectionName);
    if (!collection || collection.key !== clustering.collectionKey) throw notFound(`collection "${clustering.collectionName}" no longer exists`);
    const result: AppliedLabels = { updated: 0, removed: 0, skipped: 0, key, seq: 0 };
    for (const view of reviewedClusters(rows)) {
      if (view.final !== view.row.index) continue; // its documents come with its final cluster
      const noise = view.row.noise;
      let afterKey: number | undefined;
      for (;;) {
        const docs = await this.store.listClusterDocuments(clustering.key, view.members, { first: APPLY_PAGE, afterKey });
        if (docs.length === 0) break;
        afterKey = docs.at(-1)!.key;
        const patches = docs.flatMap((d) => {
          const has = d.metadata !== null && Object.hasOwn(d.metadata, key);
          if ((has && !overwrite) || (noise && !has) || (!noise && d.metadata?.[key] === view.label)) return [];
          return [noise ? { key: d.key, set: {}, unset: [key] } : { key: d.key, set: { [key]: view.label } }];
        });
        const written = await this.store.patchDocumentMetadata(collection.key, patches);
        result[noise ? 'removed' : 'updated'] += written;
        result.skipped += docs.length - written;
        if (docs.length < APPLY_PAGE) break;
      }
    }
    if (result.updated + result.removed > 0) await this.afterWrite(collection);
    result.seq = await this.store.maxSeq(collection.key);
    return result;
  }

  /** The clustering, SUCCEEDED, with its clusters; NOT_FOUND or BAD_USER_INPUT otherwise. */
  private async succeeded(clusteringId: string): Promise<{ clustering: ClusteringRow; rows: ClusterRow[] }> {
    const clustering = clusteringId.length <= 128 ? await this.store.getClustering(clusteringId) : null;
    if (!clustering) throw notFound(`clustering "${clusteringId.slice(0, 128)}" does not exist`);
    if (clustering.status !== 'SUCCEEDED') {
      throw badInput(`clustering "${clusteringId}" is ${clustering.status}; its clusters can be reviewed once it has SUCCEEDED`);
    }
    const [rows] = await this.store.getClusters([clustering.key]);
    return { clustering, rows: rows ?? [] };
  }

  /** A cluster to rename or mark: it must not be merged into another (the final cluster is what counts). */
  private async target(clusteringId: string, cluster: string, what: string): Promise<{ clustering: ClusteringRow; index: number }> {
    const { clustering, rows } = await this.succeeded(clusteringId);
    const index = clusterIndex(clustering, rows, cluster);
    const final = finalClusters(rows)[index]!;
    if (final !== index) throw badInput(`cluster "${cluster}" is merged into cluster "${final}"; ${what} that one instead`);
    return { clustering, index };
  }
}

/** The index of cluster id `id` ("0".."k-1"); NOT_FOUND when the clustering has no such cluster. */
function clusterIndex(clustering: ClusteringRow, rows: readonly ClusterRow[], id: string): number {
  const index = /^\d{1,6}$/.test(id) ? Number(id) : -1;
  if (!rows[index]) throw notFound(`clustering "${clustering.id}" has no cluster "${id.slice(0, 40)}" (its ids are "0".."${rows.length - 1}")`);
  return index;
}
