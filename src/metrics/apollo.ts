import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Metrics } from './metrics.js';

/** What one request's handling learns about it, for its log line and metrics. */
export interface RequestTelemetry {
  /** True once Apollo's request pipeline started (the plugin then fills in the rest). */
  graphql: boolean;
  /** The operation's name; null when anonymous or not parsed. */
  operation: string | null;
  /** query | mutation | subscription; null when the document did not parse or validate. */
  type: string | null;
  /** extensions.code of each error in the response. */
  codes: string[];
}

/** The context field the HTTP front puts the request's telemetry in (Apollo copies the context shallowly). */
export interface WithTelemetry {
  telemetry: RequestTelemetry;
}

export const newTelemetry = (): RequestTelemetry => ({ graphql: false, operation: null, type: null, codes: [] });

/**
 * Apollo plugin timing each GraphQL operation from requestDidStart to willSendResponse into
 * `semhub_graphql_request_duration_seconds{operation,type}`, and recording the operation and the
 * response's error codes in the request's telemetry (the HTTP front logs and counts them).
 */
export function telemetryPlugin(metrics: Metrics): ApolloServerPlugin<WithTelemetry> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      const t = contextValue.telemetry;
      t.graphql = true;
      return {
        async didResolveOperation(rc) {
          t.operation = rc.operationName ?? null;
          t.type = rc.operation?.operation ?? null;
        },
        async willSendResponse(rc) {
          const body = rc.response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          t.codes = (errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          const labels = { operation: metrics.operationLabel(t.operation), type: t.type ?? 'unknown' };
          metrics.graphqlDuration.observe(labels, (performance.now() - started) / 1000);
        },
      };
    },
  };
}
