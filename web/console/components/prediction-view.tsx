import type { Prediction } from '../api/types';
import { HitsTable } from './document-tables';

/** One prediction: the text, its label and probability, a bar per label, and the KNN neighbours that voted. */
export function PredictionView({ text, prediction }: { text: string; prediction: Prediction }) {
  const scores = [...prediction.scores].sort((a, b) => b.score - a.score);
  return (
    <article className="prediction">
      <p className="text">{text}</p>
      <p>
        <b data-field="label">{prediction.label}</b> with probability <span data-field="probability">{prediction.probability.toFixed(3)}</span>
      </p>
      <table className="probabilities">
        <caption>Probabilities</caption>
        <tbody>
          {scores.map((s) => (
            <tr key={s.label}>
              <th scope="row">{s.label}</th>
              <td className="bar-cell">
                <meter min={0} max={1} value={s.score} aria-label={`${s.label}: ${s.score.toFixed(3)}`} />
              </td>
              <td className="num">{s.score.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {prediction.evidence && <HitsTable hits={prediction.evidence} caption="The neighbours that voted (score = similarity)" />}
    </article>
  );
}
