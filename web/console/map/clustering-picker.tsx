import { useState } from 'react';
import { gql } from '../api/client';
import { CLUSTER_COLLECTION, CLUSTERINGS, COLLECTIONS } from '../api/queries';
import type { ClusteringSummary, Collection, Connection } from '../api/types';
import { useAction } from '../api/use-action';
import { useQuery } from '../api/use-query';
import { ErrorMessage } from '../components/error-message';
import { href, navigate } from '../router';

type Page = 'map' | 'review';

/** A choice of collection, as links to the page for each. */
function CollectionChoice({ page }: { page: Page }) {
  const { data, error } = useQuery<{ collections: Connection<Collection> }>(COLLECTIONS, {});
  return (
    <>
      <ErrorMessage error={error} />
      <ul className="choices" aria-label="Collections">
        {data?.collections.nodes.map((c) => (
          <li key={c.name}>
            <a href={href(page, c.name)}>{c.name}</a> <span className="muted">({c.documentCount} documents)</span>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Starts a clustering of the collection (k, or let the server choose it) and opens it. */
function StartClustering({ collection, page }: { collection: string; page: Page }) {
  const [k, setK] = useState('');
  const { run, busy, failure } = useAction();
  const start = () =>
    void run('Starting a clustering', async () => {
      const { clusterCollection } = await gql<{ clusterCollection: ClusteringSummary }>(CLUSTER_COLLECTION, { collection, k: k ? Number(k) : null });
      navigate(page, collection, clusterCollection.id);
    });
  return (
    <form className="start-clustering" onSubmit={(e) => (e.preventDefault(), start())}>
      <label htmlFor="cluster-k">clusters (k)</label>
      <input id="cluster-k" type="number" min={2} max={1000} value={k} placeholder="auto" onChange={(e) => setK(e.target.value)} />
      <button type="submit" disabled={busy}>
        Start clustering
      </button>
      <ErrorMessage failure={failure} />
    </form>
  );
}

/**
 * Picks the clustering a page shows: a collection first, then one of its clusterings (newest
 * first) or a new one.
 */
export function ClusteringPicker({ collection, page, current }: { collection: string | null; page: Page; current?: string | null }) {
  const { data, error } = useQuery<{ clusterings: Connection<ClusteringSummary> }>(CLUSTERINGS, collection ? { collection } : null);
  if (!collection) return <CollectionChoice page={page} />;
  const clusterings = [...(data?.clusterings.nodes ?? [])].reverse();
  return (
    <div className="picker">
      <StartClustering collection={collection} page={page} />
      <ErrorMessage error={error} />
      {clusterings.length > 0 && (
        <details open={!current}>
          <summary>
            {clusterings.length} {clusterings.length === 1 ? 'clustering' : 'clusterings'} of {collection}
          </summary>
          <ul className="choices">
            {clusterings.map((c) => (
              <li key={c.id}>
                <a href={href(page, collection, c.id)} aria-current={c.id === current ? 'page' : undefined}>
                  k={c.k ?? '?'} · {c.status.toLowerCase()} · {c.documentCount ?? '…'} documents · {new Date(c.createdAt).toLocaleString()}
                </a>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
