import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** What one page loads: its bundle's script and stylesheet under /assets/, and the CSP sources it needs beyond 'self'. */
export interface PageSpec {
  title: string;
  /** The entry bundle, e.g. "console" for /assets/console.js and /assets/console.css. */
  bundle: string;
  /** Content-Security-Policy directives beyond (or replacing) the common ones, e.g. worker-src for GraphiQL's editor workers. */
  csp?: Record<string, string>;
}

/** The headers every HTML page gets: no caching, no sniffing, no framing. */
function pageHeaders(requestId: string, csp: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'x-request-id': requestId,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'content-security-policy': csp,
  };
}

/**
 * The Content-Security-Policy of a page: everything 'none' but its own scripts, stylesheets and
 * icon from this origin ('self'), the <style> elements its libraries create at run time carrying
 * this response's nonce (web/shared/style-nonce.ts), and requests to this origin only; `extra`
 * adds directives or replaces common ones.
 */
export function pageCsp(nonce: string, extra: Record<string, string> = {}): string {
  const directives: Record<string, string> = {
    'default-src': "'none'",
    'script-src': "'self'",
    'style-src': `'self' 'nonce-${nonce}'`,
    'img-src': "'self'",
    'connect-src': "'self'",
    ...extra,
    'base-uri': "'none'",
    'form-action': "'none'",
    'frame-ancestors': "'none'",
  };
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

/**
 * Sends the HTML shell of a bundled page (web/, built by bin/build-web.js into dist/web/): a root
 * element, the bundle's stylesheet and module script from /assets/, and the response's CSP nonce
 * in a meta tag for the styles the page's libraries add.
 */
export function sendPage(res: ServerResponse, requestId: string, spec: PageSpec): void {
  const nonce = randomBytes(16).toString('base64');
  res.writeHead(200, pageHeaders(requestId, pageCsp(nonce, spec.csp)));
  res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${spec.title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csp-nonce" content="${nonce}">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/${spec.bundle}.css">
<script type="module" src="/assets/${spec.bundle}.js"></script>
</head><body><div id="root"></div>
<noscript>This page needs JavaScript. The API is at /graphql.</noscript>
</body></html>`);
}
