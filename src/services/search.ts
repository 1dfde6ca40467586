import { badInput } from '../errors.js';
import type { IndexHit } from '../index/types.js';
import { isModuleChanged } from '../store/binding.js';
import type { CollectionRow, DocumentRow, Metric, ModuleBinding, Store } from '../store/types.js';
import { parseFilter, type Filter } from './filter.js';
import type { DocumentService } from './documents.js';
import type { IndexManager } from './index-manager.js';
import { exactTopK } from '../index/top-k.js';
import { normalize } from '../vectors.js';

export type SearchMode = 'VECTOR' | 'KEYWORD' | 'HYBRID';
export type FusionMethod = 'RELATIVE_SCORE' | 'RRF';

export interface SearchRequest {
  text?: string | null;
  vector?: readonly number[] | null;
  documentId?: string | null;
  filter?: unknown;
  limit?: number | null;
  minScore?: number | null;
  ef?: number | null;
  mode?: SearchMode | null;
  alpha?: number | null;
  fusion?: FusionMethod | null;
}

export interface Hit {
  document: DocumentRow;
  score: number;
  distance: number;
}

/** Most hits one search returns. */
const MAX_LIMIT = 100;
/** A filter matching at most this many documents is searched exactly over the stored vectors. */
export const EXACT_FILTER_MAX = 2_000;
/** Reciprocal rank fusion constant (Cormack et al. 2009). */
const RRF_K = 60;
/** Candidates each ranking contributes to a hybrid fusion. */
const FUSION_DEPTH = 100;

/** Options of a batch of searches. */
export interface SearchOptions {
  /**
   * The module whose vectors to search (default: the collection's bound module): a stale classifier
   * head pinned to the module bound before a migration's swap searches the previous module's.
   */
  module?: ModuleBinding;
}

interface Planned {
  req: SearchRequest;
  mode: SearchMode;
  limit: number;
  filter: Filter | null;
  vector: Float32Array | null;
}

/**
 * Similarity search: by text (embedded with the collection's module), by a vector, or by a stored
 * document's vector; optionally filtered by metadata, optionally fused with BM25 keyword search.
 * Batch-first: `searchMany` embeds all texts in one encoder call and sends all unfiltered
 * queries to the index in one batch. A batch is computed with one module throughout: its query
 * vectors, index and stored vectors are all that module's; when the collection's binding changed
 * under it (a module migration's swap: MODULE_CHANGED), the batch runs again on the collection
 * as the store has it now (`reread`).
 */
export class SearchService {
  constructor(
    private readonly store: Store,
    private readonly documents: DocumentService,
    private readonly indexes: IndexManager,
    private readonly reread?: (collection: CollectionRow) => Promise<CollectionRow>,
  ) {}

  async search(collection: CollectionRow, req: SearchRequest): Promise<Hit[]> {
    return (await this.searchMany(collection, [req]))[0]!;
  }

  async searchMany(collection: CollectionRow, reqs: SearchRequest[], opts: SearchOptions = {}): Promise<Hit[][]> {
    try {
      return await this.run(collection, reqs, opts.module ?? collection.module, opts.module !== undefined);
    } catch (e) {
      if (!isModuleChanged(e) || !this.reread || opts.module) throw e;
      const now = await this.reread(collection);
      return this.run(now, reqs, now.module, false);
    }
  }

  private async run(collection: CollectionRow, reqs: SearchRequest[], module: ModuleBinding, pinned: boolean): Promise<Hit[][]> {
    const plans = reqs.map((req) => this.plan(collection, module, req));
    await this.resolveVectors(collection, module, plans);
    const ranked = await Promise.all(plans.map((p) => this.rank(collection, module, pinned, p)));
    const keys = [...new Set(ranked.flat().map((h) => h.key))];
    const docs = new Map<number, DocumentRow>();
    (await this.store.getDocumentsByKeys(collection.key, keys)).forEach((d, i) => d && docs.set(keys[i]!, d));
    return ranked.map((hits, i) =>
      hits
        .filter((h) => docs.has(h.key) && (plans[i]!.req.minScore == null || h.score >= plans[i]!.req.minScore!))
        .slice(0, plans[i]!.limit)
        .map((h) => ({ document: docs.get(h.key)!, score: h.score, distance: h.distance })),
    );
  }

  private plan(collection: CollectionRow, module: ModuleBinding, req: SearchRequest): Planned {
    const given = [req.text != null, req.vector != null, req.documentId != null].filter(Boolean).length;
    if (given !== 1) throw badInput('search takes exactly one of text, vector or documentId');
    const mode = req.mode ?? 'VECTOR';
    if (mode !== 'VECTOR' && req.text == null) throw badInput(`${mode} search needs text`);
    if (req.text != null && !req.text.trim()) throw badInput('text must not be empty');
    const limit = req.limit ?? 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw badInput(`limit must be an integer from 1 to ${MAX_LIMIT}, got ${limit}`);
    if (req.ef != null && (!Number.isInteger(req.ef) || req.ef < 1 || req.ef > 10_000)) throw badInput(`ef must be an integer from 1 to 10000, got ${req.ef}`);
    if (req.alpha != null && !(req.alpha >= 0 && req.alpha <= 1)) throw badInput(`alpha must be between 0 and 1, got ${req.alpha}`);
    if (req.minScore != null && !Number.isFinite(req.minScore)) throw badInput('minScore must be a finite number');
    let vector: Float32Array | null = null;
    if (req.vector != null) {
      if (req.vector.length !== module.dims) {
        throw badInput(`vector has ${req.vector.length} dimensions; collection "${collection.name}" holds ${module.dims}-d vectors of ${module.name}@${module.version}`);
      }
      vector = Float32Array.from(req.vector);
      if (!vector.every(Number.isFinite)) throw badInput('vector must hold finite numbers only');
    }
    return { req, mode, limit, filter: parseFilter(req.filter), vector };
  }

  /** Fills in query vectors of `module`: all texts in one encoder call, all document ids in one store read. */
  private async resolveVectors(collection: CollectionRow, module: ModuleBinding, plans: Planned[]): Promise<void> {
    const textPlans = plans.filter((p) => p.req.text != null && p.mode !== 'KEYWORD');
    if (textPlans.length) {
      const vectors = await (await this.documents.encoderOf(collection, module)).embed(textPlans.map((p) => p.req.text!), { priority: 'interactive' });
      textPlans.forEach((p, i) => (p.vector = vectors[i]!));
    }
    const idPlans = plans.filter((p) => p.req.documentId != null);
    if (idPlans.length) {
      const docs = await this.store.getDocumentsByIds(collection.key, idPlans.map((p) => p.req.documentId!));
      const missing = idPlans.findIndex((_, i) => !docs[i]);
      if (missing >= 0) throw badInput(`document "${idPlans[missing]!.req.documentId}" does not exist in collection "${collection.name}"`);
      const vectors = await this.store.getVectorsByKeys(collection.key, module.sha256, docs.map((d) => d!.key));
      // a document written since the swap has no vector of the previous module a pinned search asks for
      const without = idPlans.findIndex((_, i) => !vectors[i]);
      if (without >= 0) throw badInput(`document "${idPlans[without]!.req.documentId}" has no vector of ${module.name}@${module.version}`);
      idPlans.forEach((p, i) => (p.vector = vectors[i]!));
    }
    for (const p of plans) if (p.vector && collection.metric !== 'l2') p.vector = normalize(p.vector);
  }

  private async rank(collection: CollectionRow, module: ModuleBinding, pinned: boolean, p: Planned): Promise<{ key: number; score: number; distance: number }[]> {
    const depth = p.mode === 'HYBRID' ? Math.max(FUSION_DEPTH, p.limit) : p.limit;
    const vectorHits = p.mode === 'KEYWORD' ? [] : await this.vectorSearch(collection, module, pinned, p, depth);
    if (p.mode === 'VECTOR') return vectorHits.map((h) => ({ key: h.key, ...scored(collection.metric, h) }));
    const keywordHits = await this.store.keywordSearch(collection.key, p.req.text!, depth, p.filter);
    if (p.mode === 'KEYWORD') return withDistance(keywordHits);
    const alpha = p.req.alpha ?? 0.5;
    if (p.req.fusion === 'RRF') return withDistance(reciprocalRankFusion(vectorHits, keywordHits, alpha));
    // Relative score fusion needs every candidate's vector score: score the keyword hits the
    // vector ranking did not reach exactly, from their stored vectors.
    const seen = new Set(vectorHits.map((h) => h.key));
    const unseen = keywordHits.filter((h) => !seen.has(h.key)).map((h) => h.key);
    const rows = unseen.length ? await this.store.getVectorsByKeys(collection.key, module.sha256, unseen) : [];
    const extra = exactTopK(collection.metric, p.vector!, unseen, rows, unseen.length);
    const vectorScores = [...vectorHits, ...extra].map((h) => ({ key: h.key, score: scored(collection.metric, h).score }));
    return withDistance(relativeScoreFusion(vectorScores, keywordHits, alpha));
  }

  /** kNN for one query: exact over the stored vectors of a selective filter, else HNSW with the filter inside. */
  private async vectorSearch(collection: CollectionRow, module: ModuleBinding, pinned: boolean, p: Planned, k: number): Promise<IndexHit[]> {
    const index = await this.indexes.get(collection, module, { previous: pinned });
    if (!p.filter) return (await index.search([p.vector!], k, { ef: p.req.ef ?? undefined }))[0]!;
    const allow = await this.store.documentKeys(collection.key, p.filter);
    if (allow.length === 0) return [];
    if (allow.length <= EXACT_FILTER_MAX) {
      const rows = await this.store.getVectorsByKeys(collection.key, module.sha256, Array.from(allow));
      return exactTopK(collection.metric, p.vector!, allow, rows, k);
    }
    // The rarer the matches, the wider the graph search must look to find k of them.
    const share = allow.length / Math.max(1, index.size);
    const ef = Math.min(4096, Math.max(p.req.ef ?? collection.hnsw.ef, Math.ceil((k * 4) / Math.max(share, 0.01))));
    return (await index.search([p.vector!], k, { ef, allow }))[0]!;
  }
}

type Scored = { key: number; score: number };

/**
 * Relative score fusion: each ranking's scores divided by its best score, then
 * `alpha * vector + (1 - alpha) * keyword`. Dividing by the best (not min-max stretching) keeps a
 * ranking's own confidence: a flat ranking (every candidate about as good, as a weak encoder gives
 * on long documents) barely reorders the fused list, a peaked one does. A candidate missing from a
 * ranking scores 0 there (the caller scores every keyword hit's vector exactly, so only documents
 * that BM25 did not return can miss).
 */
export function relativeScoreFusion(vector: readonly Scored[], keyword: readonly Scored[], alpha: number): Scored[] {
  const v = relative(vector);
  const k = relative(keyword);
  const keys = new Set([...v.keys(), ...k.keys()]);
  return [...keys]
    .map((key) => ({ key, score: alpha * (v.get(key) ?? 0) + (1 - alpha) * (k.get(key) ?? 0) }))
    .sort((a, b) => b.score - a.score || a.key - b.key);
}

function relative(hits: readonly Scored[]): Map<number, number> {
  const best = Math.max(0, ...hits.map((h) => h.score));
  return new Map(hits.map((h) => [h.key, best > 0 ? Math.max(0, h.score) / best : 0]));
}

/** Weighted reciprocal rank fusion (Cormack et al. 2009): alpha / (60 + vector rank) + (1 - alpha) / (60 + keyword rank). */
export function reciprocalRankFusion(vector: readonly { key: number }[], keyword: readonly { key: number }[], alpha: number): Scored[] {
  const fused = new Map<number, number>();
  vector.forEach((h, rank) => fused.set(h.key, (fused.get(h.key) ?? 0) + alpha / (RRF_K + rank + 1)));
  keyword.forEach((h, rank) => fused.set(h.key, (fused.get(h.key) ?? 0) + (1 - alpha) / (RRF_K + rank + 1)));
  return [...fused].map(([key, score]) => ({ key, score })).sort((a, b) => b.score - a.score || a.key - b.key);
}

/** Similarity score (higher is closer) and distance (smaller is closer) of an index hit. */
function scored(metric: Metric, hit: IndexHit): { score: number; distance: number } {
  return metric === 'l2' ? { score: 1 / (1 + hit.distance), distance: hit.distance } : { score: 1 - hit.distance, distance: hit.distance };
}

/** For rankings without a metric distance: 1 - score relative to the best hit. */
function withDistance(hits: { key: number; score: number }[]) {
  const best = hits[0]?.score || 1;
  return hits.map((h) => ({ key: h.key, score: h.score, distance: 1 - h.score / best }));
}
