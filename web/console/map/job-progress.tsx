import type { ClusteringSummary } from '../api/types';

/** A clustering job's status: a progress bar while it runs, its error when it failed. */
export function JobProgress({ summary }: { summary: ClusteringSummary }) {
  if (summary.status === 'SUCCEEDED') return null;
  if (summary.status === 'FAILED' || summary.status === 'CANCELLED') {
    return (
      <p role="alert" className="message error">
        The clustering {summary.status.toLowerCase()}
        {summary.error ? `: ${summary.error}` : ''}.
      </p>
    );
  }
  const percent = Math.round(summary.progress * 100);
  return (
    <p className="job" role="status">
      <label htmlFor="job-progress">
        Clustering {summary.status.toLowerCase()}: {percent}%
      </label>{' '}
      <progress id="job-progress" max={1} value={summary.progress} />
    </p>
  );
}
