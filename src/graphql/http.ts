import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, badInput, type ErrorCode } from '../errors.js';

/** Deepest nesting a JSON request body may have (the JSON scalar allows 32 inside variables). */
export const MAX_BODY_DEPTH = 64;

/** Reads a request body up to `limit` bytes; TOO_LARGE beyond it (the socket is drained, not buffered). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new AppError('TOO_LARGE', `request body is ${declared} bytes; the limit is ${limit} (SEMHUB_MAX_BODY_BYTES)`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new AppError('TOO_LARGE', `request body exceeds ${limit} bytes (SEMHUB_MAX_BODY_BYTES)`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => failed || resolve(Buffer.concat(chunks)));
    req.on('error', (e) => failed || reject(e));
  });
}

/** True when a Content-Type header names JSON (`application/json`, any parameters). */
export function isJsonContentType(header: string | undefined): boolean {
  return /^application\/json\s*(;|$)/i.test(header?.trim() ?? '');
}

/** A `\uD800`-`\uDFFF` escape in JSON text: the only way a body of valid UTF-8 can hold a lone surrogate. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * Parses a JSON request body strictly: the bytes must be valid UTF-8, the text valid JSON, nested
 * at most {@link MAX_BODY_DEPTH} levels, and no string or key may hold an unpaired UTF-16
 * surrogate ("\ud800" escapes). Each failure is BAD_USER_INPUT with a message saying which.
 * An empty body is undefined.
 */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  if (!isUtf8(raw)) throw badInput('request body is not valid UTF-8');
  const text = raw.toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badInput('request body is not valid JSON');
  }
  checkJsonValue(body, SURROGATE_ESCAPE.test(text));
  return body;
}

/**
 * Walks a parsed JSON value without recursion: its depth, and (when the text escapes a surrogate)
 * that every string is well formed. Numbers, booleans and nulls are skipped where they stand, so
 * a 512-number vector costs one pass over its array.
 */
function checkJsonValue(root: unknown, strings: boolean): void {
  const stack: unknown[] = [root];
  const depths: number[] = [0];
  while (stack.length) {
    const value = stack.pop();
    const depth = depths.pop()!;
    if (typeof value === 'string') {
      if (strings && !value.isWellFormed()) throw badInput('request body holds a string with an unpaired UTF-16 surrogate');
    } else if (value !== null && typeof value === 'object') {
      if (depth >= MAX_BODY_DEPTH) throw badInput(`request body nests deeper than ${MAX_BODY_DEPTH} levels`);
      const values = Array.isArray(value) ? value : Object.values(value);
      if (strings && !Array.isArray(value)) {
        for (const k of Object.keys(value)) if (!k.isWellFormed()) throw badInput('request body holds a key with an unpaired UTF-16 surrogate');
      }
      for (const v of values) {
        if (v !== null && (typeof v === 'object' || (strings && typeof v === 'string'))) {
          stack.push(v);
          depths.push(depth + 1);
        }
      }
    }
  }
}

/** HTTP status for an error answered before GraphQL runs. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TOO_LARGE: 413,
  OVERLOADED: 503,
};

/** Sends a GraphQL-shaped error response for failures before execution (body, auth, JSON, limits, timeouts). */
export function sendError(res: ServerResponse, code: ErrorCode, message: string, requestId: string, status = STATUS[code] ?? 500): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-request-id': requestId,
    ...(code === 'UNAUTHENTICATED' ? { 'www-authenticate': 'Bearer' } : {}),
    ...(code === 'OVERLOADED' ? { 'retry-after': '1' } : {}),
  });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(value));
}

/** A client's x-request-id when it is a plain token (it is echoed in a header and logged), else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
}

/** The request's URL; an unparsable request target (e.g. absolute-form "http://[::1") reads as "/". */
export function urlOf(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return new URL('/', 'http://localhost');
  }
}

/** The error codes of a JSON error body Apollo produced outside its request pipeline. */
export function codesOfBody(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { errors?: { extensions?: { code?: unknown } }[] };
    return (parsed.errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
  } catch {
    return [];
  }
}
