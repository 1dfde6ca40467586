import { GraphiQL, type GraphiQLProps } from 'graphiql';
import { useMemo, useState } from 'react';
import { authHeaders, readApiKey, storeApiKey } from '../shared/api-key';
import { postGraphql } from '../shared/graphql-fetch';

type Fetcher = GraphiQLProps['fetcher'];

const EXAMPLE = `# Ctrl+Enter runs · Ctrl+Space completes · the book icon: schema docs
query Example {
  modules { name version dims backend }
  collections(first: 10) { totalCount nodes { name documentCount indexedCount } }
}
`;

/** A fetcher for this origin's /graphql sending `key`, under the headers typed in GraphiQL's header editor. */
function keyedFetcher(key: string): Fetcher {
  return (params, opts) => postGraphql(params, { ...authHeaders(key), ...(opts?.headers ?? {}) }) as ReturnType<Fetcher>;
}

/** The GraphiQL page: a bar with the API key and a link to the console, GraphiQL under it. */
export function GraphiqlPage() {
  const [key, setKey] = useState(readApiKey);
  const [draft, setDraft] = useState(key);
  // A new fetcher (new key) makes GraphiQL introspect the schema again.
  const fetcher = useMemo(() => keyedFetcher(key), [key]);
  const apply = () => {
    storeApiKey(draft.trim());
    setKey(draft.trim());
  };
  return (
    <div className="semhub-graphiql">
      <form className="semhub-bar" onSubmit={(e) => (e.preventDefault(), apply())}>
        <a href="/">semhub console</a>
        <label htmlFor="semhub-key">API key</label>
        <input id="semhub-key" type="password" autoComplete="off" value={draft} placeholder="only when SEMHUB_API_KEYS is set" onChange={(e) => setDraft(e.target.value)} />
        <button type="submit">Use key</button>
        <span className="semhub-key-state">{key ? 'key set for this tab' : 'no key'}</span>
      </form>
      <div className="semhub-editor">
        <GraphiQL fetcher={fetcher} defaultQuery={EXAMPLE} />
      </div>
    </div>
  );
}
