import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration of limits, timeouts and GraphiQL', () => {
  it('has documented defaults', () => {
    const c = loadConfig({});
    expect(c.limits).toMatchObject({ maxQueryDepth: 12, maxQueryFields: 200, maxQueryCost: 50_000, maxQueryTokens: 20_000 });
    expect(c.requestTimeoutMs).toBe(60_000);
    expect(c.graphiql).toBe(true);
  });

  it('turns GraphiQL off by default on a non-loopback bind, on when asked', () => {
    expect(loadConfig({ SEMHUB_HOST: '0.0.0.0' }).graphiql).toBe(false);
    expect(loadConfig({ SEMHUB_HOST: '0.0.0.0', SEMHUB_GRAPHIQL: 'true' }).graphiql).toBe(true);
    expect(loadConfig({ SEMHUB_GRAPHIQL: 'false' }).graphiql).toBe(false);
  });

  it('refuses bad values with one line each', () => {
    expect(() => loadConfig({ SEMHUB_REQUEST_TIMEOUT_MS: '0', SEMHUB_GRAPHIQL: 'yes' })).toThrow(ConfigError);
    try {
      loadConfig({ SEMHUB_REQUEST_TIMEOUT_MS: '0', SEMHUB_GRAPHIQL: 'yes' });
    } catch (e) {
      expect((e as ConfigError).problems).toHaveLength(2);
    }
  });
});

describe('configuration of the encoder backend', () => {
  it('defaults to auto and takes every ONNX Runtime and tfjs backend by name', () => {
    expect(loadConfig({}).backend).toBe('auto');
    for (const b of ['onnx-cuda', 'onnx-webgpu', 'onnx-cpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']) expect(loadConfig({ SEMHUB_BACKEND: b }).backend).toBe(b);
  });

  it('refuses an unknown backend, naming the variable and the values it takes', () => {
    let err: unknown;
    try {
      loadConfig({ SEMHUB_BACKEND: 'cuda' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems[0]).toMatch(/^SEMHUB_BACKEND="cuda": .*onnx-cpu/);
  });
});
