import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { ApiKeyScope } from '../../src/config.js';
import { hasScope, scopeFor } from '../../src/graphql/auth.js';
import { resolvers } from '../../src/graphql/resolvers/index.js';
import { loadTypeDefs } from '../../src/graphql/schema.js';

const KEYS = new Map<string, ApiKeyScope>([
  ['read-key-0123456789abcdef', 'read'],
  ['write-key-0123456789abcdef', 'write'],
  ['admin-key-0123456789abcdef', 'admin'],
]);
const codeOf = (f: () => unknown) => {
  try {
    f();
    return null;
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('API key scopes', () => {
  it('finds the scope of a configured key and refuses missing, unknown and malformed ones', () => {
    expect(scopeFor('Bearer read-key-0123456789abcdef', KEYS)).toBe('read');
    expect(scopeFor('bearer   admin-key-0123456789abcdef ', KEYS)).toBe('admin');
    for (const h of [undefined, '', 'Bearer', 'Bearer read-key-0123456789abcde', 'Bearer read-key-0123456789abcdefX', 'Basic read-key-0123456789abcdef', 'Bearer a b']) {
      expect(codeOf(() => scopeFor(h, KEYS)), String(h)).toBe('UNAUTHENTICATED');
    }
  });

  it('makes every caller admin when no keys are configured', () => {
    expect(scopeFor(undefined, new Map())).toBe('admin');
  });

  it('orders scopes read < write < admin', () => {
    expect(hasScope('read', 'write')).toBe(false);
    expect(hasScope('write', 'write')).toBe(true);
    expect(hasScope('admin', 'write')).toBe(true);
    expect(hasScope('write', 'admin')).toBe(false);
  });
});

/** Services that fail loudly: a resolver must check the scope before it touches anything. */
const untouchable = new Proxy({}, { get: () => { throw new Error('touched services before checking the scope'); } });
const call = async (field: string, scope: ApiKeyScope) => {
  const fn = (resolvers.Mutation as Record<string, (...a: unknown[]) => unknown>)[field]!;
  try {
    await fn({}, { collection: 'c', name: 'c', id: 'x', ids: [], documents: [], version: '1', source: 's' }, { scope, requestId: 't', services: untouchable, loaders: untouchable }, {});
    return null;
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).message;
  }
};

describe('every mutation resolver checks the scope first', () => {
  const mutations = Object.keys(buildSchema(loadTypeDefs()).getMutationType()!.getFields());
  const ADMIN = new Set(['createCollection', 'deleteCollection', 'loadModule', 'migrateCollection', 'revertMigration', 'cancelMigration', 'dropPreviousVectors']);

  it.each(mutations)('%s refuses a read key with FORBIDDEN before any work', async (field) => {
    expect((resolvers.Mutation as Record<string, unknown>)[field], `no resolver for Mutation.${field}`).toBeTypeOf('function');
    expect(await call(field, 'read')).toBe('FORBIDDEN');
  });

  it.each(mutations)('%s needs admin exactly when it administers collections or modules', async (field) => {
    const outcome = await call(field, 'write');
    if (ADMIN.has(field)) expect(outcome).toBe('FORBIDDEN');
    else expect(outcome).not.toBe('FORBIDDEN');
  });
});
