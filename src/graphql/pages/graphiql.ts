import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendPage } from './html.js';

/** True for a GET that asks for HTML (a browser opening /graphql) and carries no query. */
export function wantsGraphiql(req: IncomingMessage, search: string): boolean {
  const accept = req.headers.accept ?? '';
  return req.method === 'GET' && accept.includes('text/html') && !new URLSearchParams(search).has('query');
}

/**
 * Serves GraphiQL (the `graphiql` package's editor: autocomplete, docs explorer, history; with an
 * API key box) bundled from web/graphiql/ and loaded from /assets/. Its monaco editor runs web
 * workers from this origin, draws fonts and icons from data: URLs in its stylesheet, and lays out
 * its lines with style attributes, so beyond the common policy it allows worker-src 'self',
 * font-src and img-src 'self' data:, and style-src-attr 'unsafe-inline' (attributes only: a
 * <style> element still needs the nonce). Enabled by SEMHUB_GRAPHIQL.
 */
export function sendGraphiql(res: ServerResponse, requestId: string): void {
  sendPage(res, requestId, {
    title: 'semhub GraphiQL',
    bundle: 'graphiql',
    csp: { 'worker-src': "'self'", 'font-src': "'self' data:", 'img-src': "'self' data:", 'style-src-attr': "'unsafe-inline'" },
  });
}
