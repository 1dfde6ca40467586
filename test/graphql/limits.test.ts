import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkQueryLimits, QueryLimitsChecker } from '../../src/graphql/limits-request.js';
import { measureDocument, queryLimitsRule } from '../../src/graphql/limits.js';
import { loadTypeDefs } from '../../src/graphql/schema.js';

const schema = buildSchema(loadTypeDefs());
const LIMITS = { maxQueryDepth: 12, maxQueryFields: 200, maxQueryCost: 50_000, maxQueryTokens: 20_000 };
const problems = (query: string, variables?: Record<string, unknown>) =>
  validate(schema, parse(query), [queryLimitsRule(LIMITS, variables)]).map((e) => e.message);

describe('query limits rule', () => {
  it('accepts the standard introspection query (its depth is the schema\'s, bounded by cost)', () => {
    expect(problems(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }))).toEqual([]);
    expect(validate(schema, parse(getIntrospectionQuery()), [...specifiedRules, queryLimitsRule(LIMITS)])).toEqual([]);
  });

  it('accepts ordinary pages and searches', () => {
    expect(problems('{ documents(collection: "a", first: 100) { totalCount nodes { id text metadata } pageInfo { endCursor } } }')).toEqual([]);
    expect(problems('query($l: Int) { a: search(collection: "a", text: "x", limit: $l) { score document { id text } } }', { l: 100 })).toEqual([]);
  });

  it('refuses too many field selections, counting aliases', () => {
    const aliases = `{ ${Array.from({ length: 201 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect(problems(aliases)).toEqual([expect.stringContaining('more than 200 fields')]);
  });

  it('refuses nesting deeper than the limit', () => {
    const deep = `{ ${'a { '.repeat(13)}b${' }'.repeat(13)} }`;
    expect(problems(deep)).toEqual([expect.stringContaining('more than 12 levels')]);
  });

  it('multiplies page sizes by nesting, with variables at their value', () => {
    const q = 'query($n: Int) { clusterings(collection: "a", first: $n) { nodes { clusters { documents(first: 100) { nodes { text } } } } } }';
    expect(problems(q, { n: 1 })).toEqual([]);
    expect(problems(q, { n: 100 })).toEqual([expect.stringContaining('could return more than 50000 values')]);
    const m = measureDocument(schema, parse(q), { ...LIMITS, maxQueryCost: 1e12 }, { n: 2 });
    // clusterings 1 + 2 × (nodes 1 + clusters 1 + 10 × (documents 1 + 100 × (nodes 1 + text 1)))
    expect(m.cost).toBe(1 + 2 * (1 + 1 + 10 * (1 + 100 * (1 + 1))));
  });

  it('stops measuring a fragment bomb at the limit', () => {
    const frags = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Query { ${i === 29 ? '__typename' : `...F${i + 1} a: collections { totalCount } ...F${i + 1}`} }`).join(' ');
    const started = performance.now();
    expect(problems(`{ ...F0 } ${frags}`)).toEqual([expect.stringContaining('could return more than')]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses more than 10 operations in one document', () => {
    expect(problems(Array.from({ length: 11 }, (_, i) => `query Q${i} { __typename }`).join(' '))).toEqual([expect.stringContaining('11 operations')]);
  });

  it('ignores fragment cycles and unknown fields (other rules report them)', () => {
    expect(problems('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }')).toEqual([]);
    expect(problems('{ nope { deeper } }')).toEqual([]);
  });
});

describe('checkQueryLimits (before Apollo parses)', () => {
  it('answers TOO_LARGE for too many tokens and for limits, null for fine or unparsable queries', () => {
    expect(checkQueryLimits(schema, { query: `{ __typename ${'@include(if: true) '.repeat(5000)}}` }, LIMITS)?.code).toBe('TOO_LARGE');
    expect(checkQueryLimits(schema, { query: `{ ${'__typename '.repeat(300)}}` }, LIMITS)?.code).toBe('TOO_LARGE');
    expect(checkQueryLimits(schema, { query: '{ __typename }' }, LIMITS)).toBeNull();
    expect(checkQueryLimits(schema, { query: '{ __typename ' }, LIMITS)).toBeNull();
    expect(checkQueryLimits(schema, { query: 42 }, LIMITS)).toBeNull();
  });
});

describe('QueryLimitsChecker (cached per query string)', () => {
  it('gives the same verdicts as checkQueryLimits, the second time too', () => {
    const checker = new QueryLimitsChecker(schema, LIMITS);
    const queries = [`{ __typename ${'@include(if: true) '.repeat(5000)}}`, `{ ${'__typename '.repeat(300)}}`, '{ __typename }', '{ __typename ', '{ collections(first: 100) { nodes { name } } }'];
    for (let round = 0; round < 2; round++) {
      for (const query of queries) expect(checker.check({ query })?.code).toBe(checkQueryLimits(schema, { query }, LIMITS)?.code);
    }
  });

  it('measures a variable page size at each request\'s value, not the first one cached', () => {
    const checker = new QueryLimitsChecker(schema, { ...LIMITS, maxQueryCost: 500 });
    const query = 'query($n: Int) { collections(first: $n) { nodes { name documentCount } } }';
    expect(checker.check({ query, variables: { n: 10 } })).toBeNull();
    expect(checker.check({ query, variables: { n: 1000 } })?.code).toBe('TOO_LARGE');
    expect(checker.check({ query, variables: { n: 10 } })).toBeNull();
  });

  it('keeps literal-size verdicts once measured, whatever the variables', () => {
    const checker = new QueryLimitsChecker(schema, { ...LIMITS, maxQueryCost: 500 });
    const big = 'query($c: String!) { documents(collection: $c, first: 1000) { nodes { id text } } }';
    expect(checker.check({ query: big, variables: { c: 'a' } })?.code).toBe('TOO_LARGE');
    expect(checker.check({ query: big, variables: { c: 'b' } })?.code).toBe('TOO_LARGE');
  });
});
