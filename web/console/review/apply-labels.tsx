import { useState } from 'react';
import { gql } from '../api/client';
import { APPLY_LABELS } from '../api/queries';
import { useAction } from '../api/use-action';
import { ErrorMessage } from '../components/error-message';

interface Applied {
  updated: number;
  removed: number;
  skipped: number;
  key: string;
  seq: number;
}

/**
 * Writes each document's reviewed cluster label into its metadata under a key the reviewer picks
 * (merged clusters give their target's label; noise documents get none, and with overwrite lose
 * one an earlier apply wrote), ready to train a head on.
 */
export function ApplyLabels({ clusteringId, onApplied }: { clusteringId: string; onApplied: (key: string) => void }) {
  const [key, setKey] = useState('topic');
  const [overwrite, setOverwrite] = useState(true);
  const [result, setResult] = useState<Applied | null>(null);
  const { run, busy, failure } = useAction();
  const apply = () =>
    void run('Applying the labels', async () => {
      const { applyClusterLabels } = await gql<{ applyClusterLabels: Applied }>(APPLY_LABELS, { clustering: clusteringId, key: key.trim(), overwrite });
      setResult(applyClusterLabels);
      onApplied(applyClusterLabels.key);
    });
  return (
    <form className="apply-labels" onSubmit={(e) => (e.preventDefault(), key.trim() && apply())}>
      <label htmlFor="label-key">Metadata key</label>
      <input id="label-key" value={key} onChange={(e) => setKey(e.target.value)} spellCheck={false} />
      <label>
        <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} /> overwrite existing values
      </label>
      <button type="submit" disabled={busy}>
        Apply labels
      </button>
      {result && (
        <p role="status" className="message ok">
          Labels applied under “{result.key}”: {result.updated} documents updated, {result.removed} noise documents cleared, {result.skipped} left as they were.
        </p>
      )}
      <ErrorMessage failure={failure} />
    </form>
  );
}
