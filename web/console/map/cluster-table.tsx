import type { Cluster } from '../api/types';
import { TableHead } from '../components/table-head';

/** The clusters as a table (the map's keyboard- and screen-reader-friendly twin): open one with its button. */
export function ClusterTable({ clusters, colors, openId, onOpen }: { clusters: Cluster[]; colors: string[]; openId: string | null; onOpen: (id: string) => void }) {
  return (
    <table className="clusters">
      <caption>{clusters.length} clusters</caption>
      <TableHead columns={['cluster', 'label', 'size', 'keywords', 'state']} />
      <tbody>
        {clusters.map((c, i) => (
          <tr key={c.id} data-cluster={c.id} className={openId === c.id ? 'open' : undefined}>
            <td>
              <span className="swatch" style={{ background: colors[i] }} />
              <button type="button" onClick={() => onOpen(c.id)} aria-label={`Open cluster ${c.id}`}>
                {c.id}
              </button>
            </td>
            <td data-field="label">{c.label}</td>
            <td className="num">{c.size}</td>
            <td className="muted">{c.keywords.slice(0, 6).join(', ')}</td>
            <td>{c.noise ? 'noise' : c.mergedInto ? `merged into ${c.mergedInto}` : c.reviewed ? 'reviewed' : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
