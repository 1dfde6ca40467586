import type { ApiKeyScope } from '../config.js';
import { AppError } from '../errors.js';
import type { RequestContext } from './context.js';

const RANK: Record<ApiKeyScope, number> = { read: 0, write: 1, admin: 2 };

/**
 * The caller's scope from `Authorization: Bearer <key>`. With no keys configured every caller is
 * admin (the server then only binds to loopback); with keys, a missing or unknown key is UNAUTHENTICATED.
 */
export function scopeFor(header: string | undefined, keys: ReadonlyMap<string, ApiKeyScope>): ApiKeyScope {
  if (keys.size === 0) return 'admin';
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m) throw new AppError('UNAUTHENTICATED', 'an API key is required: send Authorization: Bearer <key>');
  const scope = keys.get(m[1]!);
  if (!scope) throw new AppError('UNAUTHENTICATED', 'the API key is not valid');
  return scope;
}

/** Throws FORBIDDEN unless the caller's scope is at least `needed`. */
export function requireScope(ctx: RequestContext, needed: ApiKeyScope): void {
  if (RANK[ctx.scope ?? 'read'] < RANK[needed]) {
    throw new AppError('FORBIDDEN', `this operation needs the ${needed} scope; the API key has ${ctx.scope}`);
  }
}
