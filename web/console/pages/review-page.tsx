import { useMemo, useState } from 'react';
import { ErrorMessage } from '../components/error-message';
import { ClusteringPicker } from '../map/clustering-picker';
import { JobProgress } from '../map/job-progress';
import { clusterColors } from '../map/palette';
import { useClustering } from '../map/use-clustering';
import { ApplyLabels } from '../review/apply-labels';
import { ReviewTable } from '../review/review-table';
import { TrainHead } from '../review/train-head';
import { href } from '../router';

/**
 * Review: name what the clustering found (rename, merge, mark noise), write the reviewed labels
 * into the documents' metadata, and train a classifier head on them, with its metrics.
 */
export function ReviewPage({ collection, clusteringId }: { collection: string | null; clusteringId: string | null }) {
  const state = useClustering(clusteringId, { withPoints: false });
  const [labelKey, setLabelKey] = useState<string | null>(null);
  const colors = useMemo(() => clusterColors(state.clustering?.clusters ?? []), [state.clustering]);
  const clustering = state.clustering;
  return (
    <section>
      <h1>Review{collection ? ` of ${collection}` : ''}</h1>
      <ClusteringPicker collection={collection} page="review" current={clusteringId} />
      <ErrorMessage error={state.error} />
      {state.summary && <JobProgress summary={state.summary} />}
      {collection && clustering && (
        <>
          <p>
            <a href={href('map', collection, clustering.id)}>See these clusters on the map</a>
          </p>
          <h2>1. Name the clusters</h2>
          <ReviewTable clustering={clustering} colors={colors} onChanged={state.reloadClusters} />
          <h2>2. Apply the labels to the documents</h2>
          <ApplyLabels clusteringId={clustering.id} onApplied={setLabelKey} />
          <h2>3. Train a classifier on them</h2>
          <TrainHead key={labelKey ?? ''} collection={collection} labelKey={labelKey ?? 'topic'} />
        </>
      )}
    </section>
  );
}
