import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * semhub configuration, read from the environment once at start, validated, typed and frozen.
 * Every variable, its default and its meaning is listed in docs/configuration.md.
 */
const int = (def: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(def);

/**
 * SEMHUB_BACKEND values: `auto`, or one encoder backend. ONNX Runtime first (CUDA, WebGPU, CPU),
 * then the tfjs fallbacks (native CUDA, native CPU, WebAssembly, plain JavaScript).
 */
export const BACKEND_PREFERENCES = ['auto', 'onnx-cuda', 'onnx-webgpu', 'onnx-cpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];

const schema = z.object({
  SEMHUB_PORT: int(4000, 0, 65535),
  SEMHUB_HOST: z.string().min(1).default('127.0.0.1'),
  SEMHUB_DATA_DIR: z.string().min(1).default('./data'),
  SEMHUB_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (unset it to use SQLite)')
    .optional(),
  SEMHUB_PG_POOL_SIZE: int(10, 1, 1000),
  SEMHUB_BACKEND: z.enum(BACKEND_PREFERENCES).default('auto'),
  SEMHUB_MODULE_CACHE: z.string().min(1).optional(),
  SEMHUB_TRUSTED_MODULE_SOURCES: z.string().default(''),
  SEMHUB_API_KEYS: z.string().default(''),
  SEMHUB_EMBED_WORKERS: int(Math.max(1, os.availableParallelism?.() ?? os.cpus().length), 0, 256),
  SEMHUB_EMBED_BATCH: int(64, 1, 4096),
  SEMHUB_EMBED_QUEUE_MAX: int(20_000, 1, 10_000_000),
  SEMHUB_MAX_BATCH: int(1000, 1, 100_000),
  SEMHUB_MAX_TEXT_BYTES: int(65_536, 1, 16 * 1024 * 1024),
  SEMHUB_MAX_METADATA_BYTES: int(16_384, 2, 16 * 1024 * 1024),
  SEMHUB_MAX_BODY_BYTES: int(16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  SEMHUB_MAX_QUERY_DEPTH: int(12, 1, 1000),
  SEMHUB_MAX_QUERY_FIELDS: int(200, 1, 1_000_000),
  SEMHUB_MAX_QUERY_COST: int(50_000, 1, 1_000_000_000),
  SEMHUB_MAX_QUERY_TOKENS: int(20_000, 100, 10_000_000),
  SEMHUB_REQUEST_TIMEOUT_MS: int(60_000, 1, 3_600_000),
  SEMHUB_AFTER_SEQ_TIMEOUT_MS: int(5_000, 0, 600_000),
  SEMHUB_INDEX_POLL_MS: int(500, 0, 3_600_000),
  SEMHUB_JOB_HEARTBEAT_MS: int(15_000, 10, 3_600_000),
  SEMHUB_JOB_LEASE_MS: int(120_000, 100, 86_400_000),
  SEMHUB_GRAPHIQL: z.enum(['true', 'false']).optional(),
  SEMHUB_CONSOLE: z.enum(['true', 'false']).optional(),
  SEMHUB_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Loopback bind addresses: the only ones the server accepts without API keys. */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** True for 127.x.x.x, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}

export type ApiKeyScope = 'read' | 'write' | 'admin';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  /** PostgreSQL connections this process may hold (its pg Pool's max); unused on SQLite. */
  readonly pgPoolSize: number;
  readonly backend: BackendPreference;
  readonly moduleCache: string;
  readonly trustedModuleSources: readonly string[];
  readonly apiKeys: ReadonlyMap<string, ApiKeyScope>;
  readonly embedWorkers: number;
  readonly embedBatch: number;
  readonly embedQueueMax: number;
  readonly limits: {
    readonly maxBatch: number;
    readonly maxTextBytes: number;
    readonly maxMetadataBytes: number;
    readonly maxBodyBytes: number;
    /** Field nesting levels per operation. */
    readonly maxQueryDepth: number;
    /** Field selections written in one document (aliases count; a fragment counts once). */
    readonly maxQueryFields: number;
    /** Estimated result size: fields weighted by the page sizes (first/limit) of the lists above them. */
    readonly maxQueryCost: number;
    /** Lexical tokens per GraphQL document (the parser stops beyond it). */
    readonly maxQueryTokens: number;
  };
  /** Milliseconds before an unfinished request is answered with OVERLOADED. */
  readonly requestTimeoutMs: number;
  /** How long a read with `afterSeq` waits for this process's index to reach that seq before OVERLOADED. */
  readonly afterSeqTimeoutMs: number;
  /** Every loaded index catches up from the store this often (0: never; other processes' writes then arrive only by notification). */
  readonly indexPollMs: number;
  /** How often a process renews the leases of the jobs it runs, and takes over jobs whose owner stopped. */
  readonly jobHeartbeatMs: number;
  /** How long a job's lease lasts past its last renewal: a job whose owner stopped is taken over this long after. */
  readonly jobLeaseMs: number;
  /** Serve the GraphiQL page at GET /graphql (Accept: text/html). */
  readonly graphiql: boolean;
  /** Serve the review console at GET / (its bundle from dist/web). */
  readonly console: boolean;
  readonly logLevel: string;
}

/** Thrown when the environment holds a bad value; the message lists each one. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function parseApiKeys(raw: string, problems: string[]): Map<string, ApiKeyScope> {
  const keys = new Map<string, ApiKeyScope>();
  for (const entry of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = entry.lastIndexOf(':');
    const key = at > 0 ? entry.slice(0, at) : '';
    const scope = at > 0 ? entry.slice(at + 1) : '';
    if (!key || !['read', 'write', 'admin'].includes(scope)) {
      problems.push(`SEMHUB_API_KEYS: entry "${entry.slice(0, 4)}…" must be key:scope with scope read, write or admin`);
      continue;
    }
    if (key.length < 16) problems.push(`SEMHUB_API_KEYS: key "${key.slice(0, 4)}…" is shorter than 16 characters`);
    keys.set(key, scope as ApiKeyScope);
  }
  return keys;
}

/** Parses `env` (default process.env) into a frozen Config, or throws ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('SEMHUB_') && v !== ''));
  const parsed = schema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      problems.push(`${name}=${JSON.stringify(String(env[name]))}: ${issue.message}`);
    }
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const apiKeys = parseApiKeys(e.SEMHUB_API_KEYS, problems);
  const trusted = e.SEMHUB_TRUSTED_MODULE_SOURCES.split(',').map((s) => s.trim()).filter(Boolean);
  for (const t of trusted) {
    if (!/^(https?:\/\/|file:)/.test(t)) problems.push(`SEMHUB_TRUSTED_MODULE_SOURCES: "${t}" must start with https://, http:// or file:`);
  }
  if (e.SEMHUB_JOB_LEASE_MS < 2 * e.SEMHUB_JOB_HEARTBEAT_MS) {
    problems.push(`SEMHUB_JOB_LEASE_MS (${e.SEMHUB_JOB_LEASE_MS}) must be at least twice SEMHUB_JOB_HEARTBEAT_MS (${e.SEMHUB_JOB_HEARTBEAT_MS}), so one late renewal does not hand a running job to another process`);
  }
  if (problems.length) throw new ConfigError(problems);
  const dataDir = path.resolve(e.SEMHUB_DATA_DIR);
  return Object.freeze({
    port: e.SEMHUB_PORT,
    host: e.SEMHUB_HOST,
    dataDir,
    databaseUrl: e.SEMHUB_DATABASE_URL,
    pgPoolSize: e.SEMHUB_PG_POOL_SIZE,
    backend: e.SEMHUB_BACKEND,
    moduleCache: path.resolve(e.SEMHUB_MODULE_CACHE ?? path.join(dataDir, 'module-cache')),
    trustedModuleSources: Object.freeze(trusted),
    apiKeys,
    embedWorkers: e.SEMHUB_EMBED_WORKERS,
    embedBatch: e.SEMHUB_EMBED_BATCH,
    embedQueueMax: e.SEMHUB_EMBED_QUEUE_MAX,
    limits: Object.freeze({
      maxBatch: e.SEMHUB_MAX_BATCH,
      maxTextBytes: e.SEMHUB_MAX_TEXT_BYTES,
      maxMetadataBytes: e.SEMHUB_MAX_METADATA_BYTES,
      maxBodyBytes: e.SEMHUB_MAX_BODY_BYTES,
      maxQueryDepth: e.SEMHUB_MAX_QUERY_DEPTH,
      maxQueryFields: e.SEMHUB_MAX_QUERY_FIELDS,
      maxQueryCost: e.SEMHUB_MAX_QUERY_COST,
      maxQueryTokens: e.SEMHUB_MAX_QUERY_TOKENS,
    }),
    requestTimeoutMs: e.SEMHUB_REQUEST_TIMEOUT_MS,
    afterSeqTimeoutMs: e.SEMHUB_AFTER_SEQ_TIMEOUT_MS,
    indexPollMs: e.SEMHUB_INDEX_POLL_MS,
    jobHeartbeatMs: e.SEMHUB_JOB_HEARTBEAT_MS,
    jobLeaseMs: e.SEMHUB_JOB_LEASE_MS,
    graphiql: e.SEMHUB_GRAPHIQL === undefined ? isLoopbackHost(e.SEMHUB_HOST) : e.SEMHUB_GRAPHIQL === 'true',
    console: e.SEMHUB_CONSOLE === undefined ? isLoopbackHost(e.SEMHUB_HOST) : e.SEMHUB_CONSOLE === 'true',
    logLevel: e.SEMHUB_LOG_LEVEL,
  });
}
