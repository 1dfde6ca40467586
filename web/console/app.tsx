import { useCallback, useEffect, useState } from 'react';
import { ApiError, currentApiKey, gql, onUnauthenticated, setApiKey } from './api/client';
import { KeyPrompt } from './components/key-prompt';
import { ClassifyPage } from './pages/classify-page';
import { CollectionPage } from './pages/collection-page';
import { CollectionsPage } from './pages/collections-page';
import { MapPage } from './pages/map-page';
import { ReviewPage } from './pages/review-page';
import { href, useRoute, type Route } from './router';

type Auth = { state: 'checking' } | { state: 'ok'; keyed: boolean } | { state: 'needKey'; problem: string | null };

/** Whether the server answers with the current key (or without one): 'ok', or 'needKey' with why. */
async function checkAccess(): Promise<Auth> {
  try {
    await gql('query ConsoleAccess { __typename }');
    return { state: 'ok', keyed: currentApiKey() !== '' };
  } catch (e) {
    if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') return { state: 'needKey', problem: currentApiKey() ? `The key was refused: ${e.message}.` : null };
    return { state: 'ok', keyed: currentApiKey() !== '' };
  }
}

const NAV: [Route['page'], string][] = [
  ['collections', 'Collections'],
  ['map', 'Cluster map'],
  ['review', 'Review'],
  ['classify', 'Classify'],
];

/** The page a route shows. */
function Page({ route }: { route: Route }) {
  const [a, b] = route.params;
  switch (route.page) {
    case 'collection':
      return a ? <CollectionPage name={a} /> : <CollectionsPage />;
    case 'map':
      return <MapPage collection={a ?? null} clusteringId={b ?? null} />;
    case 'review':
      return <ReviewPage collection={a ?? null} clusteringId={b ?? null} />;
    case 'classify':
      return <ClassifyPage collection={a ?? null} classifier={b ?? null} />;
    default:
      return <CollectionsPage />;
  }
}

/** The console: a header with the pages and the key, the API key prompt when one is needed, the page. */
export function App() {
  const route = useRoute();
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });
  // Bumped when the key changes, so the page mounts again and reloads with it.
  const [epoch, setEpoch] = useState(0);
  const recheck = useCallback(() => void checkAccess().then(setAuth), []);
  useEffect(recheck, [recheck]);
  useEffect(() => onUnauthenticated((e) => setAuth({ state: 'needKey', problem: currentApiKey() ? `The key was refused: ${e.message}.` : null })), []);
  const applyKey = (key: string) => {
    setApiKey(key);
    setEpoch((n) => n + 1);
    recheck();
  };
  const active = route.page === 'collection' ? 'collections' : route.page;
  return (
    <>
      <header className="top">
        <a className="brand" href="#/">
          semhub
        </a>
        <nav aria-label="Pages">
          {NAV.map(([page, label]) => (
            <a key={page} href={href(page)} aria-current={active === page ? 'page' : undefined}>
              {label}
            </a>
          ))}
          <a href="/graphql">GraphiQL</a>
        </nav>
        {auth.state === 'ok' && auth.keyed && (
          <span className="key-state">
            API key set{' '}
            <button type="button" onClick={() => setAuth({ state: 'needKey', problem: null })}>
              Change key
            </button>
            <button type="button" onClick={() => applyKey('')}>
              Forget key
            </button>
          </span>
        )}
      </header>
      <main>
        {auth.state === 'checking' && <p className="muted">Connecting…</p>}
        {auth.state === 'needKey' && <KeyPrompt problem={auth.problem} onKey={applyKey} />}
        {auth.state === 'ok' && <Page key={epoch} route={route} />}
      </main>
    </>
  );
}
