import { useMemo, useState } from 'react';
import type { ClusterPoint, Clustering, SearchHit } from '../api/types';
import { useAction } from '../api/use-action';
import { ErrorMessage } from '../components/error-message';
import { HitsTable } from '../components/document-tables';
import { SearchForm, searchCollection, type SearchMode } from '../components/search-panel';
import { ClusterPanel } from '../map/cluster-panel';
import { ClusterTable } from '../map/cluster-table';
import { ClusteringPicker } from '../map/clustering-picker';
import { JobProgress } from '../map/job-progress';
import { clusterColors } from '../map/palette';
import { ScatterMap } from '../map/scatter-map';
import { useClustering } from '../map/use-clustering';
import { useDocument } from '../map/use-document';
import { href } from '../router';

/** How the map was made, e.g. "UMAP of 5000 sampled documents (15 neighbours, seed 0), the other 3000 placed by their nearest sampled ones". */
function projectionText(p: NonNullable<Clustering['projection']>, documents: number): string {
  const rest = documents - p.sampleSize;
  return `${p.method.toUpperCase()} of ${p.sampleSize} ${rest > 0 ? 'sampled ' : ''}documents (${p.neighbors} neighbours, seed ${p.seed})${rest > 0 ? `, the other ${rest} placed by their nearest sampled ones` : ''}`;
}

/** How much of a hovered document's text the tooltip shows (the cluster panel has all of it). */
const HOVER_CHARS = 280;

/** `text` cut at a word before `max` characters, with an ellipsis when cut. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max).replace(/\s+\S*$/, '')} …`;
}

/** The text of the hovered point, next to the pointer. */
function HoverText({ collection, point, at }: { collection: string; point: ClusterPoint; at: { x: number; y: number } }) {
  const doc = useDocument(collection, point.documentId);
  return (
    <div role="tooltip" className="map-tooltip" style={{ left: at.x + 12, top: at.y + 12 }}>
      <b>cluster {point.cluster}</b> · {point.documentId}
      <br />
      {doc === undefined ? '…' : doc ? clip(doc.text, HOVER_CHARS) : '(deleted since)'}
    </div>
  );
}

/** A finished clustering: the map, its search highlight, the cluster panel and the cluster table. */
function ClusteringView({ collection, clustering, points }: { collection: string; clustering: Clustering; points: ClusterPoint[] }) {
  const [open, setOpen] = useState<string | null>(null);
  const [hover, setHover] = useState<{ index: number; x: number; y: number } | null>(null);
  const [hits, setHits] = useState<{ query: string; hits: SearchHit[] } | null>(null);
  const { run, busy, failure } = useAction();
  const colors = useMemo(() => clusterColors(clustering.clusters), [clustering.clusters]);
  const position = useMemo(() => new Map(clustering.clusters.map((c, i) => [c.id, i])), [clustering.clusters]);
  const categories = useMemo(() => Int32Array.from(points, (p) => position.get(p.cluster) ?? 0), [points, position]);
  const highlighted = useMemo(() => {
    if (hits) {
      const index = new Map(points.map((p, i) => [p.documentId, i]));
      return hits.hits.map((h) => index.get(h.document.id)).filter((i): i is number => i !== undefined);
    }
    return open === null ? [] : points.flatMap((p, i) => (p.cluster === open ? [i] : []));
  }, [hits, open, points]);
  const search = (text: string, mode: SearchMode, limit: number) =>
    void run('Searching', async () => setHits({ query: text, hits: await searchCollection(collection, text, mode, clustering.filter, limit) }));
  const hovered = hover ? points[hover.index] : undefined;
  return (
    <>
      <div className="map-tools">
        <SearchForm onSearch={search} busy={busy} label="Highlight search hits" />
        {hits && (
          <button type="button" onClick={() => setHits(null)}>
            Clear highlight ({highlighted.length} of {hits.hits.length} hits on the map)
          </button>
        )}
      </div>
      <ErrorMessage failure={failure} />
      <div className="map-layout">
        <div className="map-wrap">
          <ScatterMap points={points} categories={categories} colors={colors} highlighted={highlighted} onHover={setHover} onPick={(i) => setOpen(points[i]?.cluster ?? null)} />
          {hover && hovered && <HoverText collection={collection} point={hovered} at={hover} />}
        </div>
        {open !== null && <ClusterPanel key={open} clusteringId={clustering.id} clusterId={open} color={colors[position.get(open) ?? 0] ?? '#888'} onClose={() => setOpen(null)} />}
      </div>
      {hits && <HitsTable hits={hits.hits} caption={`${hits.hits.length} hits for “${hits.query}”`} />}
      <ClusterTable clusters={clustering.clusters} colors={colors} openId={open} onOpen={setOpen} />
    </>
  );
}

/** The cluster map page: pick or start a clustering, follow its job, then look at it. */
export function MapPage({ collection, clusteringId }: { collection: string | null; clusteringId: string | null }) {
  const state = useClustering(clusteringId);
  const { clustering, points } = state;
  return (
    <section>
      <h1>Cluster map{collection ? ` of ${collection}` : ''}</h1>
      <ClusteringPicker collection={collection} page="map" current={clusteringId} />
      <ErrorMessage error={state.error} />
      {state.summary && <JobProgress summary={state.summary} />}
      {clustering && (
        <p className="facts-line">
          k={clustering.k} · {clustering.documentCount} documents
          {clustering.quality?.silhouette != null ? ` · silhouette ${clustering.quality.silhouette.toFixed(3)}` : ''}
          {clustering.projection
            ? ` · ${projectionText(clustering.projection, clustering.documentCount ?? 0)}`
            : ''}{' '}
          · <a href={href('review', collection, clusteringId)}>Review these clusters</a>
        </p>
      )}
      {collection && clustering && points && <ClusteringView collection={collection} clustering={clustering} points={points} />}
    </section>
  );
}
