import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const EXAMPLE = `query Example {
  modules { name version dims backend }
  collections(first: 10) { totalCount nodes { name documentCount } }
}`;

/** The page: one self-contained HTML document (inline style and script, no external assets). */
function page(nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>semhub GraphQL</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style nonce="${nonce}">
body{font:14px system-ui,sans-serif;margin:0;display:grid;grid-template-columns:1fr 1fr;grid-template-rows:auto 1fr;height:100vh}
header{grid-column:1/3;display:flex;gap:.5rem;align-items:center;padding:.5rem;background:#223;color:#eef}
header h1{font-size:1rem;margin:0 1rem 0 0}
section{display:flex;flex-direction:column;padding:.5rem;gap:.25rem;min-height:0}
textarea,pre{font:13px ui-monospace,monospace;border:1px solid #bbc;border-radius:4px;padding:.5rem;margin:0}
textarea{resize:none}#query{flex:3}#variables{flex:1}
pre{flex:1;overflow:auto;background:#f6f6fa;white-space:pre-wrap}
button{padding:.3rem 1rem}input{flex:0 1 22rem}
</style></head><body>
<header><h1>semhub</h1><button id="run" title="Ctrl+Enter">Run</button>
<label for="key">API key</label><input id="key" type="password" autocomplete="off" placeholder="only when SEMHUB_API_KEYS is set">
<span id="status"></span></header>
<section><label for="query">Query</label><textarea id="query" spellcheck="false"></textarea>
<label for="variables">Variables (JSON)</label><textarea id="variables" spellcheck="false">{}</textarea></section>
<section><label for="result">Response</label><pre id="result"></pre></section>
<script nonce="${nonce}">
const $ = (id) => document.getElementById(id);
$('query').value = sessionStorage.getItem('semhub.query') || ${JSON.stringify(EXAMPLE)};
async function run() {
  sessionStorage.setItem('semhub.query', $('query').value);
  let variables;
  try { variables = JSON.parse($('variables').value || '{}'); } catch (e) { $('result').textContent = 'Variables are not valid JSON: ' + e.message; return; }
  const headers = { 'content-type': 'application/json' };
  if ($('key').value) headers.authorization = 'Bearer ' + $('key').value;
  $('status').textContent = 'running…';
  const started = performance.now();
  try {
    const res = await fetch(location.pathname, { method: 'POST', headers, body: JSON.stringify({ query: $('query').value, variables }) });
    const text = await res.text();
    let shown = text;
    try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch {}
    $('result').textContent = shown;
    $('status').textContent = res.status + ' in ' + Math.round(performance.now() - started) + ' ms';
  } catch (e) { $('result').textContent = String(e); $('status').textContent = 'failed'; }
}
$('run').addEventListener('click', run);
document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });
</script></body></html>`;
}

/** True for a GET that asks for HTML (a browser opening /graphql) and carries no query. */
export function wantsGraphiql(req: IncomingMessage, search: string): boolean {
  const accept = req.headers.accept ?? '';
  return req.method === 'GET' && accept.includes('text/html') && !new URLSearchParams(search).has('query');
}

/**
 * Serves the GraphiQL page: a query and a variables box, an API key field, a Run button that
 * POSTs to /graphql and shows the JSON response. Served under a strict Content-Security-Policy
 * (nonce'd inline script and style, requests only to this origin). Enabled by SEMHUB_GRAPHIQL.
 */
export function sendGraphiql(res: ServerResponse, requestId: string): void {
  const nonce = randomBytes(16).toString('base64');
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'x-request-id': requestId,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  });
  res.end(page(nonce));
}
