/**
 * The cluster map of a clustering job: its vectors projected to 2D by UMAP on a sample, the rest
 * placed by their nearest sampled neighbours (src/ml/projection/project.ts), in the clustering ml
 * thread, stored with the assignments as each document's x, y.
 */
import { PROJECTION_SAMPLE } from '../../ml/projection/project.js';
import type { ClusteringOutcome } from '../../store/types.js';
import { projectInThread } from './ml-thread.js';

/** The projection part of a clustering outcome for n rows of `dims` floats. */
export async function clusterMap(
  vectors: Float32Array, n: number, dims: number, seed: number, control: { signal?: AbortSignal; onProgress?: (fraction: number) => void },
): Promise<NonNullable<ClusteringOutcome['projection']>> {
  const p = await projectInThread(vectors, n, dims, { seed, sampleSize: PROJECTION_SAMPLE }, control);
  return { info: { method: 'umap', sampleSize: p.sampleSize, neighbors: p.neighbors, seed }, xy: p.xy, sampled: p.sampled };
}
