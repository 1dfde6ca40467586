/**
 * GET /graphql: the `graphiql` package's editor (monaco, with autocomplete, the docs explorer and
 * history), bundled from node_modules by bin/build-web.js and served from this origin, with an API
 * key box above it. The key is sent as `Authorization: Bearer <key>` on every request, the schema
 * introspection included, and shared with the console through sessionStorage.
 */
import '../shared/style-nonce';
import './workers';
import 'graphiql/style.css';
import './graphiql.css';
import { createRoot } from 'react-dom/client';
import { GraphiqlPage } from './graphiql-page';

createRoot(document.getElementById('root')!).render(<GraphiqlPage />);
