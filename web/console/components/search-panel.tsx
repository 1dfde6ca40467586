import { useState } from 'react';
import { gql } from '../api/client';
import { SEARCH } from '../api/queries';
import type { SearchHit } from '../api/types';
import { useAction } from '../api/use-action';
import { HitsTable } from './document-tables';
import { ErrorMessage } from './error-message';
import { SelectOptions } from './select-options';

export type SearchMode = 'VECTOR' | 'KEYWORD' | 'HYBRID';

const MODES: [SearchMode, string][] = [
  ['VECTOR', 'text (semantic)'],
  ['KEYWORD', 'keyword (BM25)'],
  ['HYBRID', 'hybrid'],
];

/** Runs `search` over a collection; resolves to the hits (the caller may show or map them). */
export async function searchCollection(collection: string, text: string, mode: SearchMode, filter: Record<string, unknown> | null, limit: number): Promise<SearchHit[]> {
  return (await gql<{ search: SearchHit[] }>(SEARCH, { collection, text, mode, filter, limit })).search;
}

/** The search form: text, mode (text / keyword / hybrid) and how many hits. */
export function SearchForm({ onSearch, busy, label = 'Search' }: { onSearch: (text: string, mode: SearchMode, limit: number) => void; busy: boolean; label?: string }) {
  const [text, setText] = useState('');
  const [mode, setMode] = useState<SearchMode>('VECTOR');
  const [limit, setLimit] = useState(10);
  return (
    <form role="search" className="search" onSubmit={(e) => (e.preventDefault(), text.trim() && onSearch(text.trim(), mode, limit))}>
      <label htmlFor="search-text">{label}</label>
      <input id="search-text" type="search" value={text} placeholder="e.g. long battery life" onChange={(e) => setText(e.target.value)} />
      <label htmlFor="search-mode">mode</label>
      <select id="search-mode" value={mode} onChange={(e) => setMode(e.target.value as SearchMode)}>
        <SelectOptions options={MODES} />
      </select>
      <label htmlFor="search-limit">hits</label>
      <input id="search-limit" type="number" min={1} max={100} value={limit} onChange={(e) => setLimit(Math.max(1, Math.min(100, Number(e.target.value) || 10)))} />
      <button type="submit" disabled={busy}>
        Search
      </button>
    </form>
  );
}

/** Search with its hits as a table (score and text), within the page's filter. */
export function SearchPanel({ collection, filter }: { collection: string; filter: Record<string, unknown> | null }) {
  const { run, busy, failure } = useAction();
  const [hits, setHits] = useState<{ query: string; hits: SearchHit[] } | null>(null);
  const search = (text: string, mode: SearchMode, limit: number) =>
    void run('Searching', async () => setHits({ query: text, hits: await searchCollection(collection, text, mode, filter, limit) }));
  return (
    <div className="search-panel">
      <SearchForm onSearch={search} busy={busy} />
      <ErrorMessage failure={failure} />
      {hits && <HitsTable hits={hits.hits} caption={`${hits.hits.length} hits for “${hits.query}”`} />}
    </div>
  );
}
