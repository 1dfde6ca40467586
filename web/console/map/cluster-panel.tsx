import { CLUSTER_DETAIL } from '../api/queries';
import type { Cluster, Connection, Doc, SearchHit } from '../api/types';
import { useQuery } from '../api/use-query';
import { DocumentsTable, HitsTable } from '../components/document-tables';
import { ErrorMessage } from '../components/error-message';
import { Pager, useCursorPages } from '../components/pager';

type Detail = Cluster & { representatives: SearchHit[]; documents: Connection<Doc> };

/** One cluster: label (reviewed or automatic), keywords, size, representatives and its documents, paged. */
export function ClusterPanel({ clusteringId, clusterId, color, onClose }: { clusteringId: string; clusterId: string; color: string; onClose: () => void }) {
  const pages = useCursorPages();
  const { data, error } = useQuery<{ clustering: { cluster: Detail | null } | null }>(CLUSTER_DETAIL, { id: clusteringId, cluster: clusterId, first: 10, after: pages.after });
  const c = data?.clustering?.cluster;
  return (
    <aside className="cluster-panel" aria-labelledby="cluster-title">
      <header>
        <span className="swatch" style={{ background: color }} />
        <h2 id="cluster-title">
          Cluster {clusterId}
          {c ? `: ${c.label}` : ''}
        </h2>
        <button type="button" onClick={onClose} aria-label="Close the cluster panel">
          ×
        </button>
      </header>
      <ErrorMessage error={error} />
      {c && (
        <>
          <dl className="facts">
            <dt>label</dt>
            <dd data-field="label">{c.label}</dd>
            {c.reviewed && (
              <>
                <dt>automatic label</dt>
                <dd>{c.autoLabel}</dd>
              </>
            )}
            <dt>size</dt>
            <dd data-field="size">{c.size}</dd>
            <dt>state</dt>
            <dd>{c.noise ? 'noise' : c.mergedInto ? `merged into ${c.mergedInto}` : c.reviewed ? 'reviewed' : 'automatic'}</dd>
          </dl>
          <p className="keywords" aria-label="Keywords">
            {c.keywords.map((k) => (
              <span key={k} className="keyword">
                {k}
              </span>
            ))}
          </p>
          <HitsTable hits={c.representatives} caption="Representatives (nearest the centroid)" />
          <DocumentsTable documents={c.documents.nodes} caption={`Documents (${c.documents.totalCount})`} />
          <Pager pages={pages} pageInfo={c.documents.pageInfo} shown={c.documents.nodes.length} total={c.documents.totalCount} label="Cluster documents" />
        </>
      )}
    </aside>
  );
}
