import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { AppError } from '../../errors.js';
import { PROJECT_ROOT } from '../../paths.js';

/** Where bin/build-web.js writes the pages' bundles (`npm ci` and `npm run build` run it). */
export const WEB_DIST_DIR = path.join(PROJECT_ROOT, 'dist', 'web');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer | null;
  etag: string;
}

/**
 * The bundle files under /assets/<name>, read on first request and kept in memory with a gzip copy
 * for text files (a build replaces them only when the server restarts). Only plain names that the
 * build wrote are served: the folder is listed once, so no request reaches any other file.
 */
export class WebAssets {
  private readonly names: Set<string>;
  private readonly cache = new Map<string, Asset>();

  constructor(private readonly dir = WEB_DIST_DIR) {
    this.names = new Set(existsSync(dir) ? readdirSync(dir).filter((n) => /^[\w-][\w.-]*$/.test(n) && path.extname(n) in TYPES) : []);
  }

  /** True when the build has written the named page's bundle (e.g. "console"). */
  has(bundle: string): boolean {
    return this.names.has(`${bundle}.js`);
  }

  private load(name: string): Asset | null {
    if (!this.names.has(name)) return null;
    let asset = this.cache.get(name);
    if (!asset) {
      const body = readFileSync(path.join(this.dir, name));
      const type = TYPES[path.extname(name)]!;
      const text = type.startsWith('text/') || type === 'image/svg+xml';
      asset = { type, body, gzip: text ? gzipSync(body) : null, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
      this.cache.set(name, asset);
    }
    return asset;
  }

  /** Answers GET /assets/<name>: the file (gzip when accepted), 304 on a matching If-None-Match, NOT_FOUND otherwise. */
  send(req: IncomingMessage, res: ServerResponse, pathname: string, requestId: string): void {
    const asset = req.method === 'GET' || req.method === 'HEAD' ? this.load(pathname.slice('/assets/'.length)) : null;
    if (!asset) throw new AppError('NOT_FOUND', `not found: ${pathname.slice(0, 80)} is not a file of the web bundle (dist/web; npm run build writes it)`);
    const headers: Record<string, string> = {
      'content-type': asset.type,
      'x-request-id': requestId,
      'x-content-type-options': 'nosniff',
      // Chunk names carry a content hash, entry names do not: every file is revalidated by its ETag.
      'cache-control': 'no-cache',
      etag: asset.etag,
      vary: 'accept-encoding',
    };
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const gzip = asset.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? asset.gzip! : asset.body;
    res.writeHead(200, { ...headers, ...(gzip ? { 'content-encoding': 'gzip' } : {}), 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}
