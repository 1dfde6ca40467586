import { COLLECTIONS } from '../api/queries';
import type { Collection, Connection } from '../api/types';
import { useQuery } from '../api/use-query';
import { ErrorMessage } from '../components/error-message';
import { IndexHealth } from '../components/index-health';
import { href } from '../router';
import { TableHead } from '../components/table-head';

/** Every collection: its module, counts and index health, with links to its documents, map and heads. */
export function CollectionsPage() {
  const { data, error, loading } = useQuery<{ collections: Connection<Collection> }>(COLLECTIONS, {});
  const collections = data?.collections.nodes ?? [];
  return (
    <section>
      <h1>Collections</h1>
      <ErrorMessage error={error} />
      {loading && !data && <p className="muted">Loading…</p>}
      {data && collections.length === 0 && <p>No collections yet: create one with the createCollection mutation (GraphiQL) or semhub ingest.</p>}
      {collections.length > 0 && (
        <table className="collections">
          <caption>{data!.collections.totalCount} collections</caption>
          <TableHead columns={['name', 'module', 'documents', 'indexed', 'deleted', 'index', 'open']} />
          <tbody>
            {collections.map((c) => (
              <tr key={c.name} data-collection={c.name}>
                <th scope="row">
                  <a href={href('collection', c.name)}>{c.name}</a>
                </th>
                <td>
                  {c.module.name}@{c.module.version} ({c.module.dims}-d, {c.metric.toLowerCase()})
                </td>
                <td className="num" data-field="documentCount">{c.documentCount}</td>
                <td className="num" data-field="indexedCount">{c.indexedCount}</td>
                <td className="num">{c.deletedCount}</td>
                <td>
                  <IndexHealth collection={c} />
                </td>
                <td className="links">
                  <a href={href('map', c.name)}>map</a> <a href={href('classify', c.name)}>classify</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
