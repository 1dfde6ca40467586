import type { Doc, Metadata, SearchHit } from '../api/types';
import { TableHead } from './table-head';

/** Metadata as compact `key: value` pairs (values as JSON). */
export function MetadataText({ metadata }: { metadata: Metadata }) {
  if (!metadata || Object.keys(metadata).length === 0) return <span className="muted">none</span>;
  return (
    <span className="metadata">
      {Object.entries(metadata).map(([k, v]) => (
        <span key={k}>
          <b>{k}</b>: {typeof v === 'string' ? v : JSON.stringify(v)}
        </span>
      ))}
    </span>
  );
}

/** Documents: id, text, metadata. */
export function DocumentsTable({ documents, caption }: { documents: Doc[]; caption: string }) {
  return (
    <table className="documents">
      <caption>{caption}</caption>
      <TableHead columns={['id', 'text', 'metadata']} />
      <tbody>
        {documents.map((d) => (
          <tr key={d.id}>
            <td className="id">{d.id}</td>
            <td>{d.text}</td>
            <td>
              <MetadataText metadata={d.metadata} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Ranked hits: rank, score, text, id and metadata. */
export function HitsTable({ hits, caption }: { hits: SearchHit[]; caption: string }) {
  return (
    <table className="hits">
      <caption>{caption}</caption>
      <TableHead columns={['#', 'score', 'text', 'id', 'metadata']} />
      <tbody>
        {hits.map((h, i) => (
          <tr key={h.document.id}>
            <td>{i + 1}</td>
            <td className="score">{h.score.toFixed(3)}</td>
            <td>{h.document.text}</td>
            <td className="id">{h.document.id}</td>
            <td>
              <MetadataText metadata={h.document.metadata} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
