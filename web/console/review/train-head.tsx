import { useState } from 'react';
import { gql } from '../api/client';
import { TRAIN_CLASSIFIER } from '../api/queries';
import type { Classifier, HeadKind } from '../api/types';
import { useAction } from '../api/use-action';
import { ErrorMessage } from '../components/error-message';
import { SelectOptions } from '../components/select-options';
import { href } from '../router';
import { MetricsView } from './metrics-view';

const HEADS: [HeadKind, string][] = [
  ['LOGISTIC', 'logistic regression'],
  ['DNN', 'dense network'],
  ['KNN', 'k nearest neighbours'],
];

/** Trains a classifier head on a metadata key (the applied labels) and shows its metrics. */
export function TrainHead({ collection, labelKey: appliedKey }: { collection: string; labelKey: string }) {
  const [labelKey, setLabelKey] = useState(appliedKey);
  const [name, setName] = useState(`${appliedKey}-head`);
  const [head, setHead] = useState<HeadKind>('LOGISTIC');
  const [sliceBy, setSliceBy] = useState('');
  const [trained, setTrained] = useState<Classifier | null>(null);
  const { run, busy, failure } = useAction();
  const train = () =>
    void run('Training a classifier', async () => {
      const { trainClassifier } = await gql<{ trainClassifier: Classifier }>(TRAIN_CLASSIFIER, { collection, name: name.trim(), labelKey: labelKey.trim(), head, sliceBy: sliceBy.trim() || null });
      setTrained(trainClassifier);
    });
  return (
    <>
      <form className="train" onSubmit={(e) => (e.preventDefault(), name.trim() && labelKey.trim() && train())}>
        <label htmlFor="train-key">Labels from key</label>
        <input id="train-key" value={labelKey} onChange={(e) => setLabelKey(e.target.value)} spellCheck={false} />
        <label htmlFor="head-name">Head name</label>
        <input id="head-name" value={name} onChange={(e) => setName(e.target.value)} spellCheck={false} />
        <label htmlFor="head-kind">kind</label>
        <select id="head-kind" value={head} onChange={(e) => setHead(e.target.value as HeadKind)}>
          <SelectOptions options={HEADS} />
        </select>
        <label htmlFor="slice-by">slice by (metadata key, optional)</label>
        <input id="slice-by" value={sliceBy} onChange={(e) => setSliceBy(e.target.value)} spellCheck={false} />
        <button type="submit" disabled={busy}>
          {busy ? 'Training…' : `Train on “${labelKey}”`}
        </button>
      </form>
      <ErrorMessage failure={failure} />
      {trained && (
        <>
          <MetricsView classifier={trained} />
          <p>
            <a href={href('classify', collection, trained.name)}>Classify texts with {trained.name}</a>
          </p>
        </>
      )}
    </>
  );
}
