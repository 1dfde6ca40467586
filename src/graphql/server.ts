import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Services } from '../services/services.js';
import { scopeFor } from './auth.js';
import { createLoaders, type RequestContext } from './context.js';
import { makeFormatError } from './formatError.js';
import { readBody, sendError, sendJson } from './http.js';
import { resolvers } from './resolvers/index.js';
import { loadTypeDefs } from './schema.js';

export interface HttpApp {
  server: Server;
  apollo: ApolloServer<RequestContext>;
}

/**
 * The HTTP front: POST/GET /graphql (Apollo Server executing over node:http, no framework),
 * GET /healthz. Body size, JSON syntax and API keys are checked before GraphQL runs, each
 * failure answered with a coded GraphQL-shaped error.
 */
export async function createHttpApp(services: Services, logger: Logger): Promise<HttpApp> {
  const apollo = new ApolloServer<RequestContext>({
    typeDefs: loadTypeDefs(),
    resolvers: resolvers as never,
    formatError: makeFormatError((error) => logger.error({ err: error }, 'internal error')),
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].slice(0, 64)) || randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') {
      const modules = services.modules.list();
      sendJson(res, 200, { status: 'ok', store: services.store.dialect, modules: modules.map((m) => `${m.name}@${m.version}`), backend: modules[0]?.backend ?? null });
      return;
    }
    if (url.pathname !== '/graphql') {
      sendJson(res, 404, { error: 'not found: GraphQL is at /graphql, health at /healthz' });
      return;
    }
    try {
      const scope = scopeFor(req.headers.authorization, services.config.apiKeys);
      let body: unknown = undefined;
      if (req.method === 'POST') {
        const raw = await readBody(req, services.config.limits.maxBodyBytes);
        try {
          body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
        } catch {
          sendError(res, 'BAD_USER_INPUT', 'request body is not valid JSON', requestId);
          return;
        }
      }
      const headers = new HeaderMap();
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
        context: async () => ({ services, requestId, scope, loaders: createLoaders(services) }),
      });
      const outHeaders: Record<string, string> = { 'x-request-id': requestId };
      for (const [k, v] of result.headers) outHeaders[k] = v;
      res.writeHead(result.status ?? 200, outHeaders);
      if (result.body.kind === 'complete') {
        res.end(result.body.string);
      } else {
        for await (const chunk of result.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      if (isAppError(error)) {
        sendError(res, error.code, error.message, requestId);
      } else {
        logger.error({ err: error, requestId }, 'request failed');
        if (!res.headersSent) sendError(res, 'INTERNAL_SERVER_ERROR', 'Internal server error', requestId);
        else res.destroy();
      }
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  server.headersTimeout = 30_000;
  server.requestTimeout = 300_000;
  return { server, apollo };
}
