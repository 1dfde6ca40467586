import { timingSafeEqual } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { ApiKeyScope } from '../config.js';
import { AppError } from '../errors.js';
import { sha256 } from '../sha256.js';
import type { RequestContext } from './context.js';

const RANK: Record<ApiKeyScope, number> = { read: 0, write: 1, admin: 2 };

interface KeyEntry {
  hash: Buffer;
  scope: ApiKeyScope;
}

const keyrings = new WeakMap<ReadonlyMap<string, ApiKeyScope>, KeyEntry[]>();

/** The configured keys as sha256 digests (computed once per key map). */
function keyring(keys: ReadonlyMap<string, ApiKeyScope>): KeyEntry[] {
  let ring = keyrings.get(keys);
  if (!ring) {
    ring = [...keys].map(([key, scope]) => ({ hash: Buffer.from(sha256(key), 'hex'), scope }));
    keyrings.set(keys, ring);
  }
  return ring;
}

/**
 * The caller's scope from `Authorization: Bearer <key>`. With no keys configured every caller is
 * admin (the server then only binds to loopback); with keys, a missing or unknown key is
 * UNAUTHENTICATED. The presented key is hashed and compared with every configured key's hash by
 * `crypto.timingSafeEqual`, without stopping at a match, so the time taken tells nothing about
 * which bytes matched or which key it was.
 */
export function scopeFor(header: string | undefined, keys: ReadonlyMap<string, ApiKeyScope>): ApiKeyScope {
  if (keys.size === 0) return 'admin';
  const m = header ? /^Bearer[ \t]+(\S{1,1024})[ \t]*$/i.exec(header) : null;
  if (!m) throw new AppError('UNAUTHENTICATED', 'an API key is required: send Authorization: Bearer <key>');
  const presented = Buffer.from(sha256(m[1]!), 'hex');
  let scope: ApiKeyScope | null = null;
  for (const entry of keyring(keys)) if (timingSafeEqual(entry.hash, presented)) scope = entry.scope;
  if (!scope) throw new AppError('UNAUTHENTICATED', 'the API key is not valid');
  return scope;
}

/** True when `scope` is at least `needed` (read < write < admin). */
export function hasScope(scope: ApiKeyScope | null, needed: ApiKeyScope): boolean {
  return RANK[scope ?? 'read'] >= RANK[needed];
}

/** The FORBIDDEN error for a caller whose scope is below `needed`. */
export function forbidden(needed: ApiKeyScope, scope: ApiKeyScope | null): AppError {
  return new AppError('FORBIDDEN', `this operation needs the ${needed} scope; the API key has ${scope ?? 'read'}`);
}

/** Throws FORBIDDEN unless the caller's scope is at least `needed`. */
export function requireScope(ctx: RequestContext, needed: ApiKeyScope): void {
  if (!hasScope(ctx.scope, needed)) throw forbidden(needed, ctx.scope);
}

/**
 * Apollo plugin: every mutation needs at least the write scope, checked once the operation is
 * known and before any resolver runs (FORBIDDEN, HTTP 403). A safety net under the resolvers'
 * own requireScope calls, which ask for admin where administration needs it.
 */
export function mutationScopePlugin<T extends RequestContext>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation !== 'mutation' || hasScope(contextValue.scope, 'write')) return;
          const error = forbidden('write', contextValue.scope);
          throw new GraphQLError(error.message, { extensions: { code: error.code, http: { status: 403 } }, originalError: error });
        },
      };
    },
  };
}
