import { describe, expect, it } from 'vitest';
import { isJsonContentType, MAX_BODY_DEPTH, parseJsonBody } from '../../src/graphql/http.js';

const code = (f: () => unknown) => {
  try {
    f();
    return null;
  } catch (e) {
    return [(e as { code?: string }).code, (e as Error).message];
  }
};

describe('request body parsing', () => {
  it('parses JSON and keeps __proto__ as a plain own key', () => {
    const body = parseJsonBody(Buffer.from('{"query": "{ __typename }", "variables": {"__proto__": {"x": 1}}}')) as { variables: object };
    expect(Object.getPrototypeOf(body.variables)).toBe(Object.prototype);
    expect(Object.keys(body.variables)).toEqual(['__proto__']);
    expect(parseJsonBody(Buffer.alloc(0))).toBeUndefined();
  });

  it('refuses invalid UTF-8, invalid JSON, deep nesting and unpaired surrogates with BAD_USER_INPUT', () => {
    expect(code(() => parseJsonBody(Buffer.from([0x7b, 0xff, 0x7d])))).toEqual(['BAD_USER_INPUT', 'request body is not valid UTF-8']);
    expect(code(() => parseJsonBody(Buffer.from('{"a": ')))).toEqual(['BAD_USER_INPUT', 'request body is not valid JSON']);
    expect(code(() => parseJsonBody(Buffer.from('['.repeat(MAX_BODY_DEPTH + 1) + ']'.repeat(MAX_BODY_DEPTH + 1))))?.[1]).toMatch(/nests deeper/);
    expect(code(() => parseJsonBody(Buffer.from('['.repeat(MAX_BODY_DEPTH) + ']'.repeat(MAX_BODY_DEPTH))))).toBeNull();
    expect(code(() => parseJsonBody(Buffer.from('{"t": "a\\ud800b"}')))?.[1]).toMatch(/unpaired UTF-16 surrogate/);
    expect(code(() => parseJsonBody(Buffer.from('{"\\udfff": 1}')))?.[1]).toMatch(/key with an unpaired/);
    expect(code(() => parseJsonBody(Buffer.from('{"t": "\\ud83d\\ude00"}')))).toBeNull();
  });

  it('recognises JSON content types only', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('Application/JSON; charset=utf-8')).toBe(true);
    for (const t of [undefined, '', 'text/plain', 'application/jsonp', 'application/x-www-form-urlencoded', 'multipart/form-data']) expect(isJsonContentType(t)).toBe(false);
  });
});
