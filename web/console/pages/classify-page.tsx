import { useState } from 'react';
import { gql } from '../api/client';
import { CLASSIFIERS, CLASSIFY, COLLECTIONS } from '../api/queries';
import type { Classifier, Collection, Connection, Prediction } from '../api/types';
import { useAction } from '../api/use-action';
import { useQuery } from '../api/use-query';
import { ErrorMessage } from '../components/error-message';
import { navigate } from '../router';
import { PredictionView } from '../components/prediction-view';

/** Texts → predictions with one head: the label, every label's probability and, for KNN, who voted. */
function ClassifyForm({ collection, head }: { collection: string; head: Classifier }) {
  const [texts, setTexts] = useState('');
  const [results, setResults] = useState<{ text: string; prediction: Prediction }[] | null>(null);
  const { run, busy, failure } = useAction();
  const lines = texts.split('\n').map((t) => t.trim()).filter(Boolean);
  const classify = () =>
    void run('Classifying', async () => {
      const { classify: predictions } = await gql<{ classify: Prediction[] }>(CLASSIFY, { collection, classifier: head.name, texts: lines });
      setResults(predictions.map((prediction, i) => ({ text: lines[i]!, prediction })));
    });
  return (
    <>
      <form className="classify" onSubmit={(e) => (e.preventDefault(), lines.length && classify())}>
        <label htmlFor="classify-texts">Texts to classify, one per line</label>
        <textarea id="classify-texts" rows={5} value={texts} onChange={(e) => setTexts(e.target.value)} />
        <button type="submit" disabled={busy || lines.length === 0}>
          Classify {lines.length || ''} with {head.name}
        </button>
      </form>
      <ErrorMessage failure={failure} />
      {results?.map((r, i) => <PredictionView key={i} text={r.text} prediction={r.prediction} />)}
    </>
  );
}

/** The Classify page: pick a collection and one of its heads, then classify texts. */
export function ClassifyPage({ collection, classifier }: { collection: string | null; classifier: string | null }) {
  const collections = useQuery<{ collections: Connection<Collection> }>(COLLECTIONS, {});
  const heads = useQuery<{ classifiers: Classifier[] }>(CLASSIFIERS, collection ? { collection } : null);
  const list = heads.data?.classifiers ?? [];
  const head = list.find((h) => h.name === classifier) ?? list[0];
  return (
    <section>
      <h1>Classify</h1>
      <ErrorMessage error={collections.error ?? heads.error} />
      <form className="pick" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="classify-collection">Collection</label>
        <select id="classify-collection" value={collection ?? ''} onChange={(e) => navigate('classify', e.target.value)}>
          <option value="">choose…</option>
          {collections.data?.collections.nodes.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
        {collection && (
          <>
            <label htmlFor="classify-head">Classifier head</label>
            <select id="classify-head" value={head?.name ?? ''} onChange={(e) => navigate('classify', collection, e.target.value)} disabled={list.length === 0}>
              {list.map((h) => (
                <option key={h.name} value={h.name}>
                  {h.name} (v{h.version}, {h.head.toLowerCase()}, {h.labels.length} labels)
                </option>
              ))}
            </select>
          </>
        )}
      </form>
      {collection && heads.data && list.length === 0 && <p>No classifier heads in {collection} yet: train one on the Review page.</p>}
      {collection && head && <ClassifyForm key={head.name} collection={collection} head={head} />}
    </section>
  );
}
