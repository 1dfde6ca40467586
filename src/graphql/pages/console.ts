import type { ServerResponse } from 'node:http';
import { sendPage } from './html.js';

/**
 * Serves the review console (web/console/, a React single-page app that talks only to /graphql)
 * at GET /: collections, the cluster map, review and classification. Its routes live after the
 * `#`, so `/` is its only HTML path. Enabled by SEMHUB_CONSOLE.
 */
export function sendConsole(res: ServerResponse, requestId: string): void {
  sendPage(res, requestId, { title: 'semhub console', bundle: 'console' });
}
