import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../../errors.js';
import { WebAssets } from './assets.js';
import { sendConsole } from './console.js';
import { sendGraphiql, wantsGraphiql } from './graphiql.js';

/** The routes of the web pages: the console at `/`, GraphiQL at GET /graphql for browsers, their bundles at /assets/. */
export type PageRoute = 'console' | 'graphiql' | 'assets';

/**
 * The browser side of the HTTP front: which requests are for a page, and their answers. The pages
 * are static bundles (web/, built into dist/web/); everything they show comes from /graphql, under
 * the same API keys as any other client.
 */
export class WebPages {
  constructor(
    private readonly enabled: { console: boolean; graphiql: boolean },
    private readonly assets = new WebAssets(),
  ) {}

  /** The page route of a request, or null when it is not for a page (or that page is off). */
  routeOf(req: IncomingMessage, url: URL): PageRoute | null {
    const { pathname } = url;
    if (pathname === '/graphql') return this.enabled.graphiql && wantsGraphiql(req, url.search) ? 'graphiql' : null;
    // origin-form only: an unparsable target also reads as "/" (urlOf) and must stay NOT_FOUND
    if (pathname === '/' && req.url?.startsWith('/') && this.enabled.console && (req.method === 'GET' || req.method === 'HEAD')) return 'console';
    if (pathname.startsWith('/assets/') && (this.enabled.console || this.enabled.graphiql)) return 'assets';
    return null;
  }

  /** Answers a request routed to a page; NOT_FOUND (thrown) for a missing file or an unbuilt bundle. */
  send(route: PageRoute, req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): void {
    if (route === 'assets') return this.assets.send(req, res, url.pathname, requestId);
    const bundle = route === 'console' ? 'console' : 'graphiql';
    if (!this.assets.has(bundle)) {
      throw new AppError('NOT_FOUND', `the ${bundle} page is not built: run \`npm run build\` (npm ci runs it), which bundles web/ into dist/web/`);
    }
    if (route === 'console') sendConsole(res, requestId);
    else sendGraphiql(res, requestId);
  }
}
