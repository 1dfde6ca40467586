import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { ApolloServer, HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSchema } from 'graphql';
import { AppError, isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import { newTelemetry, telemetryPlugin, type RequestTelemetry, type WithTelemetry } from '../metrics/apollo.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import type { Services } from '../services/services.js';
import { mutationScopePlugin, scopeFor } from './auth.js';
import { createLoaders, type RequestContext } from './context.js';
import { internalErrorLogPlugin, makeFormatError } from './format-error.js';
import { healthBody } from './health.js';
import { codesOfBody, isJsonContentType, parseJsonBody, readBody, requestIdOf, sendError, sendJson, urlOf } from './http.js';
import { QueryLimitsChecker, requestFromSearch } from './limits-request.js';
import { WebPages, type PageRoute } from './pages/web-pages.js';
import { resolvers } from './resolvers/index.js';
import { loadTypeDefs } from './schema.js';

/** The context of one GraphQL request: services, scope, loaders, and its telemetry record. */
type Context = RequestContext & WithTelemetry;

export interface HttpApp {
  server: Server;
  apollo: ApolloServer<Context>;
  metrics: Metrics;
}
type Route = 'graphql' | PageRoute | 'healthz' | 'metrics' | 'other';

/**
 * The HTTP front over node:http (no framework): POST/GET /graphql (Apollo Server), the web pages
 * (pages/: the console at GET / when SEMHUB_CONSOLE, GraphiQL at GET /graphql for browsers when
 * SEMHUB_GRAPHIQL, their bundles at /assets/), GET /healthz (always open), GET
 * /metrics (Prometheus; needs a key when keys are configured). Before GraphQL runs it checks the
 * API key, the body (size, content type, UTF-8, JSON, depth, surrogates) and the query limits
 * (tokens, fields, depth, cost); each failure is a coded GraphQL-shaped error. Every request runs
 * under SEMHUB_REQUEST_TIMEOUT_MS (OVERLOADED after it) and is logged as one line with its id.
 */
export async function createHttpApp(services: Services, logger: Logger): Promise<HttpApp> {
  const { config } = services;
  const typeDefs = loadTypeDefs();
  const queryLimits = new QueryLimitsChecker(buildSchema(typeDefs), config.limits);
  const metrics = createMetrics(services);
  const pages = new WebPages(config);
  const internalErrors = internalErrorLogPlugin(logger);
  const apollo = new ApolloServer<Context>({
    typeDefs,
    resolvers: resolvers as never,
    // Internal errors are logged with their request id by internalErrorLogPlugin; formatError only
    // logs one that reached it some other way (none is known: a safety net).
    formatError: makeFormatError((error, raw) => internalErrors.logged.has(raw as object) || logger.error({ err: error }, 'internal error')),
    includeStacktraceInErrorResponses: false,
    // Apollo turns introspection off under NODE_ENV=production; GraphiQL and codegen need it.
    introspection: true,
    // ... and, outside NODE_ENV=test, stops itself on SIGTERM/SIGINT and re-raises the signal,
    // which would cut semhub's own graceful shutdown (src/cli/serve.ts) short.
    stopOnTerminationSignals: false,
    persistedQueries: false,
    parseOptions: { maxTokens: config.limits.maxQueryTokens },
    // Cache hints, traces and usage reporting are off: semhub uses none of them, and cache control
    // alone wraps every field resolver (a tenth of a search request's execution).
    plugins: [
      ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginUsageReportingDisabled(), telemetryPlugin(metrics), mutationScopePlugin<Context>(), internalErrors.plugin,
    ],
  });
  await apollo.start();

  /** Runs one /graphql request through Apollo; AppErrors thrown here are answered by the caller. */
  const runGraphql = async (req: IncomingMessage, url: URL, requestId: string, telemetry: RequestTelemetry): Promise<HTTPGraphQLResponse> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const scope = scopeFor(req.headers.authorization, config.apiKeys);
    let body: unknown = undefined;
    if (method === 'POST') {
      if (!isJsonContentType(req.headers['content-type'])) {
        req.resume();
        throw new AppError('BAD_USER_INPUT', 'POST /graphql takes a JSON body: send content-type: application/json');
      }
      body = parseJsonBody(await readBody(req, config.limits.maxBodyBytes));
    }
    const shape = method === 'POST' ? (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) : requestFromSearch(url.search);
    const tooLarge = queryLimits.check(shape);
    if (tooLarge) throw tooLarge;
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    return apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search: url.search, body },
      context: async () => ({ services, requestId, scope, loaders: createLoaders(services), telemetry }),
    });
  };

  /** runGraphql under the request timeout; the work left running after a timeout is discarded. */
  const runWithTimeout = async (...args: Parameters<typeof runGraphql>): Promise<HTTPGraphQLResponse> => {
    const work = runGraphql(...args);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new AppError('OVERLOADED', `the request did not finish within ${config.requestTimeoutMs} ms (SEMHUB_REQUEST_TIMEOUT_MS); a write may still be applied`));
      }, config.requestTimeoutMs);
    });
    work.catch(() => undefined); // settles after a timeout too; its outcome is no longer anyone's
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  const send = async (res: ServerResponse, requestId: string, result: HTTPGraphQLResponse, telemetry: RequestTelemetry) => {
    const outHeaders: Record<string, string> = { 'x-request-id': requestId };
    for (const [k, v] of result.headers) outHeaders[k] = v;
    res.writeHead(result.status ?? 200, outHeaders);
    if (result.body.kind === 'complete') {
      if (!telemetry.graphql && (result.status ?? 200) >= 400) telemetry.codes = codesOfBody(result.body.string);
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  };

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL, where: Route, requestId: string, telemetry: RequestTelemetry) => {
    switch (where) {
      case 'healthz':
        sendJson(res, 200, await healthBody(services), { 'x-request-id': requestId });
        return;
      case 'metrics': {
        scopeFor(req.headers.authorization, config.apiKeys);
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType, 'x-request-id': requestId });
        res.end(text);
        return;
      }
      case 'console':
      case 'graphiql':
      case 'assets':
        pages.send(where, req, res, url, requestId);
        return;
      case 'graphql':
        await send(res, requestId, await runWithTimeout(req, url, requestId, telemetry), telemetry);
        return;
      default:
        req.resume();
        throw new AppError('NOT_FOUND', 'not found: the console is at /, GraphQL at /graphql, health at /healthz, metrics at /metrics');
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const requestId = requestIdOf(req);
    const url = urlOf(req);
    const telemetry = newTelemetry();
    const page = pages.routeOf(req, url);
    let where: Route = 'other';
    if (page) where = page;
    else if (url.pathname === '/graphql') where = 'graphql';
    else if (url.pathname === '/healthz' || url.pathname === '/metrics') where = url.pathname.slice(1) as Route;
    try {
      await route(req, res, url, where, requestId, telemetry);
    } catch (error) {
      const app = isAppError(error) ? error : null;
      if (!app) logger.error({ err: error, requestId }, 'request failed');
      telemetry.codes = [app?.code ?? 'INTERNAL_SERVER_ERROR'];
      if (res.headersSent) res.destroy();
      else if (app) sendError(res, app.code, app.message, requestId);
      else sendError(res, 'INTERNAL_SERVER_ERROR', 'Internal server error', requestId);
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const status = res.statusCode;
      metrics.httpDuration.observe({ route: where, method: req.method ?? 'GET', status: String(status) }, seconds);
      metrics.countErrors(telemetry.codes);
      const line = { requestId, method: req.method, path: url.pathname.slice(0, 64), route: where, operation: telemetry.operation, type: telemetry.type, status, durationMs: Math.round(seconds * 10_000) / 10, errors: telemetry.codes };
      if (status >= 500 && !telemetry.codes.includes('OVERLOADED')) logger.warn(line, 'request');
      else if (where === 'graphql' || where === 'other') logger.info(line, 'request');
      else logger.debug(line, 'request');
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'request handler failed');
      res.destroy();
    });
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 300_000;
  return { server, apollo, metrics };
}
