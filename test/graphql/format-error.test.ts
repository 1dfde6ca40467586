import { GraphQLError } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { internalErrorLogPlugin, makeFormatError } from '../../src/graphql/format-error.js';

const internals: unknown[] = [];
const format = makeFormatError((e) => internals.push(e));
const run = (error: GraphQLError) => format({ message: error.message, path: error.path, extensions: error.extensions }, error);

describe('formatError', () => {
  it('shows AppErrors thrown by resolvers with their code', () => {
    const e = new GraphQLError('x', { path: ['search'], originalError: new AppError('NOT_FOUND', 'collection "a" does not exist') });
    expect(run(e)).toMatchObject({ message: 'collection "a" does not exist', path: ['search'], extensions: { code: 'NOT_FOUND' } });
  });

  it('shows AppErrors wrapped by validation with their own code', () => {
    const e = new GraphQLError('Expected value of type "JSON"; JSON numbers must be finite', { originalError: new AppError('BAD_USER_INPUT', 'JSON numbers must be finite'), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(run(e)).toMatchObject({ message: 'Expected value of type "JSON"; JSON numbers must be finite', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('answers malformed requests with BAD_USER_INPUT, whoever noticed', () => {
    expect(run(new GraphQLError('Operation batching disabled.', { extensions: { code: 'BAD_REQUEST' } })).extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(run(new GraphQLError('Unknown operation named "B".', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })).extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('turns the parser token limit into TOO_LARGE', () => {
    const e = new GraphQLError('Syntax Error: Document contains more that 20000 tokens. Parsing aborted.', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    expect(run(e)).toMatchObject({ message: 'Document contains more that 20000 tokens. Parsing aborted.', extensions: { code: 'TOO_LARGE' } });
  });

  it('masks everything else, without the original text', () => {
    const e = new GraphQLError('SQLITE_ERROR near "DROP": syntax error', { path: ['documents'], originalError: new Error('SQLITE_ERROR near "DROP"') });
    expect(run(e)).toEqual({ message: 'Internal server error', path: ['documents'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(internals.length).toBe(1);
  });
});

describe('internalErrorLogPlugin', () => {
  it('logs internal errors once, with the request id, and leaves client errors alone', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const { plugin, logged } = internalErrorLogPlugin(logger);
    const internal = new GraphQLError('db down', { path: ['search'], originalError: new Error('SQLITE_IOERR: disk I/O error') });
    const client = new GraphQLError('x', { path: ['search'], originalError: new AppError('NOT_FOUND', 'collection "a" does not exist') });
    const parse = new GraphQLError('Syntax Error: Expected Name', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    const hooks = await plugin.requestDidStart!({ contextValue: { requestId: 'req-7' } } as never);
    await hooks!.didEncounterErrors!({ errors: [internal, client, parse] } as never);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'internal error', requestId: 'req-7', err: { message: 'SQLITE_IOERR: disk I/O error' } });
    expect(logged.has(internal)).toBe(true);
    expect(logged.has(client)).toBe(false);
    // formatError still masks it, and hands it (as Apollo passed it) to its safety-net logger
    const seen: unknown[] = [];
    const masked = makeFormatError((_, raw) => seen.push(raw))({ message: internal.message, path: internal.path }, internal);
    expect(masked).toEqual({ message: 'Internal server error', path: ['search'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(seen).toEqual([internal]);
  });
});
