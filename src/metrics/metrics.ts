import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { ERROR_CODES } from '../errors.js';
import { registerServiceCollectors, type MetricSources } from './collectors.js';

/** Seconds; from 5 ms (a cached search) to 60 s (the default request timeout). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Distinct operation names kept as label values; later names are counted as "other". */
const MAX_OPERATION_NAMES = 200;
const KNOWN_CODES = new Set<string>([...ERROR_CODES, 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'PERSISTED_QUERY_NOT_SUPPORTED', 'PERSISTED_QUERY_NOT_FOUND']);

/** The server's Prometheus metrics: one registry per HTTP app (never prom-client's global one). */
export interface Metrics {
  readonly registry: Registry;
  /** Every HTTP request by route (graphql, healthz, metrics, graphiql, other), method and status. */
  readonly httpDuration: Histogram<'route' | 'method' | 'status'>;
  /** GraphQL operations by operation name and type (query, mutation, unknown when it did not parse). */
  readonly graphqlDuration: Histogram<'operation' | 'type'>;
  /** Errors sent to clients, by extensions.code. */
  readonly errors: Counter<'code'>;
  /** A bounded label value for a client-chosen operation name. */
  operationLabel(name: string | null | undefined): string;
  /** Counts the codes of one response's errors. */
  countErrors(codes: readonly string[]): void;
}

/**
 * Creates the metrics: request histograms and error counts (observed by the HTTP front and the
 * Apollo plugin), collectors read at scrape time (encoder queues, indexes, backend; see
 * collectors.ts), and the Node process metrics of prom-client's collectDefaultMetrics.
 */
export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'semhub_http_request_duration_seconds',
    help: 'HTTP requests by route, method and status, in seconds',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const graphqlDuration = new Histogram({
    name: 'semhub_graphql_request_duration_seconds',
    help: 'GraphQL operations by operation name and type (query, mutation; unknown when it did not parse), in seconds',
    labelNames: ['operation', 'type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'semhub_graphql_errors_total',
    help: 'Errors sent to clients by extensions.code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  registerServiceCollectors(registry, sources);
  const names = new Set<string>();
  return {
    registry,
    httpDuration,
    graphqlDuration,
    errors,
    operationLabel(name) {
      if (!name) return 'anonymous';
      if (!/^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(name)) return 'other';
      if (names.has(name)) return name;
      if (names.size >= MAX_OPERATION_NAMES) return 'other';
      names.add(name);
      return name;
    },
    countErrors(codes) {
      for (const code of codes) errors.inc({ code: KNOWN_CODES.has(code) ? code : 'OTHER' });
    },
  };
}
