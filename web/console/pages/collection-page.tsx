import { useState } from 'react';
import { COLLECTION, DOCUMENTS } from '../api/queries';
import type { Collection, Connection, Doc } from '../api/types';
import { useQuery } from '../api/use-query';
import { DocumentsTable } from '../components/document-tables';
import { ErrorMessage } from '../components/error-message';
import { FilterBox } from '../components/filter-box';
import { IndexHealth } from '../components/index-health';
import { Pager, useCursorPages } from '../components/pager';
import { SearchPanel } from '../components/search-panel';
import { href } from '../router';

const PAGE_SIZE = 20;

/** The documents of a collection, filtered and paged. */
function Documents({ collection, filter }: { collection: string; filter: Record<string, unknown> | null }) {
  const pages = useCursorPages();
  const { data, error, loading } = useQuery<{ documents: Connection<Doc> }>(DOCUMENTS, { collection, filter, first: PAGE_SIZE, after: pages.after });
  const docs = data?.documents;
  return (
    <>
      <ErrorMessage error={error} />
      {loading && !docs && <p className="muted">Loading…</p>}
      {docs && <DocumentsTable documents={docs.nodes} caption={`${docs.totalCount} documents${filter ? ' matching the filter' : ''}`} />}
      <Pager pages={pages} pageInfo={docs?.pageInfo} shown={docs?.nodes.length ?? 0} total={docs?.totalCount} label="Documents" />
    </>
  );
}

/** One collection: counts, module and index health, search, and its documents with their metadata. */
export function CollectionPage({ name }: { name: string }) {
  const { data, error } = useQuery<{ collection: Collection | null }>(COLLECTION, { name });
  const [filter, setFilter] = useState<Record<string, unknown> | null>(null);
  const c = data?.collection;
  return (
    <section>
      <h1>
        Collection <q>{name}</q>
      </h1>
      <ErrorMessage error={error} />
      {data && !c && <p role="alert">There is no collection named {name}.</p>}
      {c && (
        <dl className="facts" aria-label="Collection facts">
          <dt>documents</dt>
          <dd data-field="documentCount">{c.documentCount}</dd>
          <dt>indexed</dt>
          <dd data-field="indexedCount">{c.indexedCount}</dd>
          <dt>index</dt>
          <dd>
            <IndexHealth collection={c} />
          </dd>
          <dt>deleted</dt>
          <dd>{c.deletedCount}</dd>
          <dt>module</dt>
          <dd>
            {c.module.name}@{c.module.version}, {c.module.dims}-d, {c.metric.toLowerCase()}
            {c.module.backend ? ` on ${c.module.backend}` : ''}
          </dd>
        </dl>
      )}
      <p className="links">
        <a href={href('map', name)}>Cluster map</a> · <a href={href('review', name)}>Review</a> · <a href={href('classify', name)}>Classify</a>
      </p>
      <FilterBox onApply={setFilter} />
      <h2>Search</h2>
      <SearchPanel collection={name} filter={filter} />
      <h2>Documents</h2>
      <Documents key={JSON.stringify(filter)} collection={name} filter={filter} />
    </section>
  );
}
