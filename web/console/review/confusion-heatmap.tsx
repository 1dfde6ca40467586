/** The cell colour: white to a deep blue with the share of the gold label's documents. */
function shade(share: number): string {
  const t = Math.max(0, Math.min(1, share));
  const mix = (from: number, to: number) => Math.round(from + (to - from) * t);
  return `rgb(${mix(255, 8)}, ${mix(255, 69)}, ${mix(255, 148)})`;
}

/**
 * The confusion matrix as a heatmap: rows are the gold labels, columns the predictions, each cell's
 * colour its share of the row (so small labels read as clearly as large ones) and its text the count.
 */
export function ConfusionHeatmap({ labels, confusion }: { labels: string[]; confusion: number[][] }) {
  return (
    <table className="confusion" data-cells={labels.length * labels.length}>
      <caption>Confusion matrix (rows: gold label, columns: predicted; colour: share of the row)</caption>
      <thead>
        <tr>
          <th scope="col">gold \ predicted</th>
          {labels.map((l) => (
            <th scope="col" key={l}>
              {l}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {labels.map((gold, g) => {
          const row = confusion[g] ?? [];
          const total = row.reduce((a, b) => a + b, 0);
          return (
            <tr key={gold}>
              <th scope="row">{gold}</th>
              {labels.map((predicted, p) => {
                const n = row[p] ?? 0;
                const share = total ? n / total : 0;
                return (
                  <td key={predicted} className={share > 0.55 ? 'cell dark' : 'cell'} style={{ background: shade(share) }} title={`gold ${gold}, predicted ${predicted}: ${n} (${Math.round(share * 100)}% of ${gold})`}>
                    {n}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
