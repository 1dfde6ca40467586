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

  it('serves the console like GraphiQL: on for loopback binds, off elsewhere unless asked', () => {
    expect(loadConfig({}).console).toBe(true);
    expect(loadConfig({ SEMHUB_HOST: '0.0.0.0' }).console).toBe(false);
    expect(loadConfig({ SEMHUB_HOST: '0.0.0.0', SEMHUB_CONSOLE: 'true' }).console).toBe(true);
    expect(loadConfig({ SEMHUB_CONSOLE: 'false' }).console).toBe(false);
    expect(() => loadConfig({ SEMHUB_CONSOLE: 'yes' })).toThrow(/SEMHUB_CONSOLE/);
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

describe('configuration of the PostgreSQL pool', () => {
  it('defaults to 10 connections per process and takes SEMHUB_PG_POOL_SIZE', () => {
    expect(loadConfig({}).pgPoolSize).toBe(10);
    expect(loadConfig({ SEMHUB_PG_POOL_SIZE: '25' }).pgPoolSize).toBe(25);
    expect(loadConfig({ SEMHUB_PG_POOL_SIZE: '1' }).pgPoolSize).toBe(1);
  });

  it('refuses a size that is not a positive integer up to 1000, naming the variable', () => {
    for (const bad of ['0', '-3', '2.5', 'ten', '1001']) {
      let err: unknown;
      try {
        loadConfig({ SEMHUB_PG_POOL_SIZE: bad });
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toHaveLength(1);
      expect((err as ConfigError).problems[0]).toMatch(new RegExp(`^SEMHUB_PG_POOL_SIZE="${bad.replace('.', '\\.')}": `));
    }
  });
});

describe('configuration of job leases', () => {
  it('renews every 15 s with leases of 120 s by default, and takes both variables', () => {
    expect(loadConfig({})).toMatchObject({ jobHeartbeatMs: 15_000, jobLeaseMs: 120_000 });
    expect(loadConfig({ SEMHUB_JOB_HEARTBEAT_MS: '200', SEMHUB_JOB_LEASE_MS: '1500' })).toMatchObject({ jobHeartbeatMs: 200, jobLeaseMs: 1500 });
  });

  it('refuses a lease shorter than two heartbeats, naming both values', () => {
    expect(() => loadConfig({ SEMHUB_JOB_HEARTBEAT_MS: '1000', SEMHUB_JOB_LEASE_MS: '1500' })).toThrow(
      'SEMHUB_JOB_LEASE_MS (1500) must be at least twice SEMHUB_JOB_HEARTBEAT_MS (1000), so one late renewal does not hand a running job to another process',
    );
  });
});
