import { useState } from 'react';
import { gql } from '../api/client';
import { MARK_NOISE, MERGE_CLUSTERS, RENAME_CLUSTER } from '../api/queries';
import type { Cluster, Clustering } from '../api/types';
import { useAction } from '../api/use-action';
import { ErrorMessage } from '../components/error-message';
import { TableHead } from '../components/table-head';

interface RowProps {
  cluster: Cluster;
  color: string;
  checked: boolean;
  onCheck: (checked: boolean) => void;
  act: (action: string, work: () => Promise<unknown>) => void;
  clusteringId: string;
}

/** One cluster under review: its label to edit, what it was, its size and keywords, noise or not. */
function ReviewRow({ cluster: c, color, checked, onCheck, act, clusteringId }: RowProps) {
  const [label, setLabel] = useState(c.label);
  const merged = c.mergedInto !== null;
  return (
    <tr data-cluster={c.id} className={c.noise ? 'noise' : merged ? 'merged' : undefined}>
      <td>
        <input type="checkbox" checked={checked} disabled={merged} onChange={(e) => onCheck(e.target.checked)} aria-label={`Select cluster ${c.id} for merging`} />
      </td>
      <td>
        <span className="swatch" style={{ background: color }} />
        {c.id}
      </td>
      <td>
        <form className="rename" onSubmit={(e) => (e.preventDefault(), act('Renaming a cluster', () => gql(RENAME_CLUSTER, { clustering: clusteringId, cluster: c.id, label: label.trim() })))}>
          <input value={label} onChange={(e) => setLabel(e.target.value)} aria-label={`Label of cluster ${c.id}`} disabled={merged} />
          <button type="submit" disabled={merged || !label.trim() || label.trim() === c.label}>
            Rename
          </button>
        </form>
        {c.reviewed && <span className="muted">automatic: {c.autoLabel}</span>}
      </td>
      <td className="num">{c.size}</td>
      <td className="muted">{c.keywords.slice(0, 5).join(', ')}</td>
      <td>
        {merged ? (
          `merged into ${c.mergedInto}`
        ) : (
          <button type="button" aria-pressed={c.noise} onClick={() => act(c.noise ? 'Unmarking noise' : 'Marking a cluster as noise', () => gql(MARK_NOISE, { clustering: clusteringId, cluster: c.id, noise: !c.noise }))}>
            {c.noise ? 'Noise (undo)' : 'Mark as noise'}
          </button>
        )}
      </td>
    </tr>
  );
}

/**
 * The review table: rename clusters (the automatic label is kept), mark them as noise, and merge
 * the checked ones into one of them. Each change is a mutation; the table reloads after it.
 */
export function ReviewTable({ clustering, colors, onChanged }: { clustering: Clustering; colors: string[]; onChanged: () => Promise<void> }) {
  const { run, busy, failure } = useAction();
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [into, setInto] = useState('');
  const act = (action: string, work: () => Promise<unknown>) => void run(action, async () => (await work(), await onChanged()));
  const chosen = [...checked];
  const target = chosen.includes(into) ? into : (chosen[0] ?? '');
  const merge = () => {
    act('Merging clusters', () => gql(MERGE_CLUSTERS, { clustering: clustering.id, into: target, from: chosen.filter((id) => id !== target) }));
    setChecked(new Set());
  };
  return (
    <>
      <ErrorMessage failure={failure} />
      <table className="review" aria-busy={busy}>
        <caption>{clustering.clusters.length} clusters: rename, mark noise, or check two or more to merge</caption>
        <TableHead columns={['merge', 'cluster', 'label', 'size', 'keywords', 'noise']} />
        <tbody>
          {clustering.clusters.map((c, i) => (
            <ReviewRow
              key={`${c.id}:${c.label}`}
              cluster={c}
              color={colors[i] ?? '#888'}
              checked={checked.has(c.id)}
              onCheck={(on) => setChecked((s) => new Set(on ? [...s, c.id] : [...s].filter((id) => id !== c.id)))}
              act={act}
              clusteringId={clustering.id}
            />
          ))}
        </tbody>
      </table>
      <form className="merge" onSubmit={(e) => (e.preventDefault(), merge())}>
        <label htmlFor="merge-into">Merge the {chosen.length} checked clusters into</label>
        <select id="merge-into" value={target} onChange={(e) => setInto(e.target.value)} disabled={chosen.length < 2}>
          {chosen.map((id) => (
            <option key={id} value={id}>
              cluster {id}
            </option>
          ))}
        </select>
        <button type="submit" disabled={chosen.length < 2 || busy}>
          Merge
        </button>
      </form>
    </>
  );
}
