import { useCallback, useEffect, useState } from 'react';
import { ApiError, gql } from '../api/client';
import { CLUSTERING, CLUSTERING_STATUS, POINTS, POINTS_PAGE } from '../api/queries';
import type { ClusterPoint, Clustering, ClusteringSummary, Connection } from '../api/types';

/** How often a running clustering job is asked for its status. */
const POLL_MS = 1000;

export interface ClusteringState {
  /** The job's status while it runs (and after). */
  summary: ClusteringSummary | null;
  clustering: Clustering | null;
  points: ClusterPoint[] | null;
  error: ApiError | null;
  /** Reads the clusters again (after a rename, merge or noise mark); the points stay. */
  reloadClusters: () => Promise<void>;
}

/** Every point of a clustering, page by page. */
async function loadPoints(id: string): Promise<ClusterPoint[]> {
  const points: ClusterPoint[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { clustering: { points: Connection<ClusterPoint> } | null } = await gql(POINTS, { id, first: POINTS_PAGE, after });
    const conn = page.clustering?.points;
    if (!conn) return points;
    points.push(...conn.nodes);
    if (!conn.pageInfo.hasNextPage || !conn.pageInfo.endCursor) return points;
    after = conn.pageInfo.endCursor;
  }
}

/**
 * A clustering by id: polls its job until it ends, then loads its clusters and (unless
 * `withPoints` is false) its 2D points, the projection the job computed. Stops polling when the
 * component goes.
 */
export function useClustering(id: string | null, { withPoints = true } = {}): ClusteringState {
  const [state, setState] = useState<Omit<ClusteringState, 'reloadClusters'>>({ summary: null, clustering: null, points: null, error: null });
  useEffect(() => {
    setState({ summary: null, clustering: null, points: null, error: null });
    if (!id) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fail = (e: unknown) => live && setState((s) => ({ ...s, error: e instanceof ApiError ? e : new ApiError(String(e), null) }));
    const poll = async () => {
      const { clustering: summary } = await gql<{ clustering: ClusteringSummary | null }>(CLUSTERING_STATUS, { id });
      if (!live) return;
      if (!summary) return fail(new ApiError(`there is no clustering ${id}`, 'NOT_FOUND'));
      setState((s) => ({ ...s, summary }));
      if (summary.status === 'PENDING' || summary.status === 'RUNNING') {
        timer = setTimeout(() => void poll().catch(fail), POLL_MS);
        return;
      }
      if (summary.status !== 'SUCCEEDED') return;
      const [{ clustering }, points] = await Promise.all([gql<{ clustering: Clustering }>(CLUSTERING, { id }), withPoints ? loadPoints(id) : null]);
      if (live) setState({ summary, clustering, points, error: null });
    };
    poll().catch(fail);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id, withPoints]);
  const reloadClusters = useCallback(async () => {
    if (!id) return;
    const { clustering } = await gql<{ clustering: Clustering }>(CLUSTERING, { id });
    setState((s) => ({ ...s, clustering }));
  }, [id]);
  return { ...state, reloadClusters };
}
