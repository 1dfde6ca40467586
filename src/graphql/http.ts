import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, type ErrorCode } from '../errors.js';

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

const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  TOO_LARGE: 413,
  OVERLOADED: 503,
};

/** Sends a GraphQL-shaped error response for failures before execution (body, auth, JSON). */
export function sendError(res: ServerResponse, code: ErrorCode, message: string, requestId: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(STATUS[code] ?? 500, {
    'content-type': 'application/json; charset=utf-8',
    'x-request-id': requestId,
    ...(code === 'UNAUTHENTICATED' ? { 'www-authenticate': 'Bearer' } : {}),
  });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(value));
}
