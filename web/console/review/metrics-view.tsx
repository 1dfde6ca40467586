import type { Classifier } from '../api/types';
import { ConfusionHeatmap } from './confusion-heatmap';
import { TableHead } from '../components/table-head';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** A trained head's scores: accuracy, macro F1, the confusion heatmap, per-class and per-slice tables with the slice warning. */
export function MetricsView({ classifier }: { classifier: Classifier }) {
  const m = classifier.metrics;
  return (
    <section className="metrics" aria-labelledby="metrics-title">
      <h3 id="metrics-title">
        {classifier.name} v{classifier.version} ({classifier.head.toLowerCase()}, labels from “{classifier.labelKey}”)
      </h3>
      {!m ? (
        <p>Trained on all {classifier.trainedOn} labelled documents without a validation split: there are no scores to show.</p>
      ) : (
        <>
          <dl className="facts scores">
            <dt>accuracy</dt>
            <dd data-field="accuracy">{pct(m.accuracy)}</dd>
            <dt>macro F1</dt>
            <dd data-field="macroF1">{m.macroF1.toFixed(3)}</dd>
            <dt>validated on</dt>
            <dd>{m.n} documents</dd>
          </dl>
          <p className="muted">
            {m.refit
              ? `Scores measured on the held-out validation split (${classifier.validatedOn} documents) before the head was refit on all ${classifier.trainedOn} labelled documents, so they estimate it, usually a little low.`
              : `Scores measured on the held-out validation split; the head learned from the other ${classifier.trainedOn}.`}
            {classifier.skipped ? ` ${classifier.skipped} documents had no label and were skipped.` : ''}
          </p>
          <ConfusionHeatmap labels={classifier.labels} confusion={m.confusion} />
          <table className="per-class">
            <caption>Per label</caption>
            <TableHead columns={['label', 'precision', 'recall', 'F1', 'support']} />
            <tbody>
              {m.perClass.map((c) => (
                <tr key={c.label}>
                  <th scope="row">{c.label}</th>
                  <td className="num">{c.precision.toFixed(3)}</td>
                  <td className="num">{c.recall.toFixed(3)}</td>
                  <td className="num">{c.f1.toFixed(3)}</td>
                  <td className="num">{c.support}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {m.sliceBy && (
            <>
              {m.warning && (
                <p role="alert" className="message warning">
                  {m.warning}
                </p>
              )}
              <table className="per-slice">
                <caption>
                  Per slice of “{m.sliceBy}”{m.sliceGap ? ` (gap ${pct(m.sliceGap.gap)} between ${m.sliceGap.best} and ${m.sliceGap.worst})` : ''}
                </caption>
                <TableHead columns={['slice', 'documents', 'accuracy', 'macro F1']} />
                <tbody>
                  {m.perSlice.map((s) => (
                    <tr key={s.slice ?? '(none)'}>
                      <th scope="row">{s.slice ?? '(no value)'}</th>
                      <td className="num">{s.n}</td>
                      <td className="num">{pct(s.accuracy)}</td>
                      <td className="num">{s.macroF1.toFixed(3)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </>
      )}
    </section>
  );
}
