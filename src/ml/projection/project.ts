/**
 * A 2D map of n vectors for the cluster map: UMAP (McInnes, Healy and Melville 2018; the umap-js
 * implementation) on a seeded sample of at most `sampleSize` rows, with exact nearest neighbours
 * (neighbours.ts) in place of its approximate search; every row outside the sample is placed at
 * the mean of its `neighbors` nearest sampled rows' positions, weighted by inverse distance.
 * Deterministic for a seed: the sample and UMAP's random draws come from the seeded PRNG.
 */
import { UMAP } from 'umap-js';
import { createRng } from '../prng.js';
import { gatherRows, sampleIndices } from '../sample.js';
import { nearestNeighbours, type NeighbourLists } from './neighbours.js';

/**
 * Rows UMAP lays out at most (default). UMAP's cost grows with the rows it optimises (umap-js
 * keeps its graph in JavaScript maps, ~5-10 s for 5,000 rows here) and the exact neighbour search
 * with their square; the rest are placed by their sampled neighbours, which costs one pass over
 * the sample per row.
 */
export const PROJECTION_SAMPLE = 5000;
/** UMAP's n_neighbors (its default, 15), also the sampled neighbours a placed row is averaged over. */
export const PROJECTION_NEIGHBORS = 15;
/**
 * UMAP epochs: umap-learn's choice above 10,000 rows (umap-js would run 400 on 5,000). On the
 * 8,000 Amazon reviews (sample 5,000) the 10-NN domain agreement was 0.905 with 200 and 0.907
 * with 400, at half the time.
 */
export const PROJECTION_EPOCHS = 200;
/** Rows placed per neighbour search (bounds the copy of their vectors). */
const PLACE_CHUNK = 8192;

export interface ProjectionOptions {
  seed: number;
  /** Rows laid out by UMAP at most (default PROJECTION_SAMPLE). */
  sampleSize?: number;
  /** Neighbours per row (default PROJECTION_NEIGHBORS). */
  neighbors?: number;
  /** UMAP epochs (default PROJECTION_EPOCHS). */
  epochs?: number;
  /** Called with the fraction done (0..1) now and then. */
  onProgress?: (fraction: number) => void;
}

/** Where each row lies on the map. */
export interface Projection {
  /** Row i is at (xy[2i], xy[2i+1]). */
  xy: Float32Array;
  /** 1 where the row was in UMAP's sample, 0 where it was placed from its sampled neighbours. */
  sampled: Uint8Array;
  sampleSize: number;
  neighbors: number;
}

/** Puts each row itself first at distance 0 (UMAP reads the first non-zero distance as the local scale). */
function selfFirst(nb: NeighbourLists, rows: number): void {
  const { k, index, distance } = nb;
  for (let i = 0; i < rows; i++) {
    const at = i * k;
    let p = 0;
    while (p < k - 1 && index[at + p] !== i) p++;
    // shift the ones before it (or all but the last, when it is missing: duplicates) one place down
    index.copyWithin(at + 1, at, at + p);
    distance.copyWithin(at + 1, at, at + p);
    index[at] = i;
    distance[at] = 0;
  }
}

function lists(nb: NeighbourLists, rows: number): { indices: number[][]; distances: number[][] } {
  const indices: number[][] = [];
  const distances: number[][] = [];
  for (let i = 0; i < rows; i++) {
    indices.push(Array.from(nb.index.subarray(i * nb.k, (i + 1) * nb.k)));
    distances.push(Array.from(nb.distance.subarray(i * nb.k, (i + 1) * nb.k)));
  }
  return { indices, distances };
}

/** UMAP positions of s rows (s × 2), each with `neighbors` neighbours (itself included; below s). */
function umapLayout(rows: Float32Array, s: number, dims: number, neighbors: number, opts: ProjectionOptions): Float32Array {
  const xy = new Float32Array(s * 2);
  if (neighbors < 2) {
    // one or two rows: nothing to lay out
    if (s === 2) xy[2] = 1;
    return xy;
  }
  const nb = nearestNeighbours(rows, s, rows, s, dims, neighbors);
  selfFirst(nb, s);
  opts.onProgress?.(0.2);
  const rng = createRng(opts.seed);
  const umap = new UMAP({ nComponents: 2, nNeighbors: neighbors, nEpochs: opts.epochs ?? PROJECTION_EPOCHS, random: () => rng.next() });
  const { indices, distances } = lists(nb, s);
  umap.setPrecomputedKNN(indices, distances);
  // umap-js reads only the number of rows once the neighbours are given; it still wants them
  const data = Array.from({ length: s }, (_, i) => Array.from(rows.subarray(i * dims, (i + 1) * dims)));
  const epochs = umap.initializeFit(data);
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % 20 === 0) opts.onProgress?.(0.2 + (0.6 * e) / epochs);
  }
  umap.getEmbedding().forEach((p, i) => xy.set([p[0]!, p[1]!], 2 * i));
  return xy;
}

/** Projects the n rows (row-major, `dims` floats each) to 2D. */
export function project2d(data: Float32Array, n: number, dims: number, opts: ProjectionOptions): Projection {
  const sample = sampleIndices(n, opts.sampleSize ?? PROJECTION_SAMPLE, opts.seed);
  const s = sample.length;
  // UMAP needs more rows than neighbours: a small set takes them all
  const neighbors = Math.max(1, Math.min(opts.neighbors ?? PROJECTION_NEIGHBORS, s - 1));
  const sampleRows = gatherRows(data, dims, sample);
  const layout = umapLayout(sampleRows, s, dims, neighbors, opts);
  const xy = new Float32Array(n * 2);
  const sampled = new Uint8Array(n);
  sample.forEach((row, i) => {
    xy[2 * row] = layout[2 * i]!;
    xy[2 * row + 1] = layout[2 * i + 1]!;
    sampled[row] = 1;
  });
  const rest: number[] = [];
  for (let i = 0; i < n; i++) if (!sampled[i]) rest.push(i);
  for (let c = 0; c < rest.length; c += PLACE_CHUNK) {
    const rows = rest.slice(c, c + PLACE_CHUNK);
    const nb = nearestNeighbours(gatherRows(data, dims, rows), rows.length, sampleRows, s, dims, neighbors);
    rows.forEach((row, q) => {
      let wx = 0;
      let wy = 0;
      let total = 0;
      for (let p = q * nb.k; p < (q + 1) * nb.k; p++) {
        const w = 1 / (nb.distance[p]! + 1e-6);
        wx += w * layout[2 * nb.index[p]!]!;
        wy += w * layout[2 * nb.index[p]! + 1]!;
        total += w;
      }
      xy[2 * row] = wx / total;
      xy[2 * row + 1] = wy / total;
    });
    opts.onProgress?.(0.8 + (0.2 * (c + rows.length)) / rest.length);
  }
  opts.onProgress?.(1);
  return { xy, sampled, sampleSize: s, neighbors };
}
