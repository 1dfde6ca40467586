/**
 * The review console, served by semhub at `/`: collections and their documents, search, the
 * cluster map, cluster review (rename, merge, noise, labels to metadata), classifier training and
 * classification. It talks only to the public GraphQL API at /graphql (with the API key as a bearer
 * token when the server has keys). Bundled by bin/build-web.js into dist/web/.
 */
import '../shared/style-nonce';
import './console.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
