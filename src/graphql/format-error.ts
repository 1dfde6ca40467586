import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from '../log.js';
import { isAppError, type AppError } from '../errors.js';

/** Codes Apollo assigns to request errors that semhub passes through unchanged. */
const APOLLO_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * Apollo codes for a request that is not a well-formed GraphQL request (a batched array, a GET
 * mutation, no query, an unknown operationName): semhub answers every malformed request with
 * BAD_USER_INPUT, whether its own HTTP front or Apollo noticed it first.
 */
const AS_BAD_USER_INPUT = new Set(['BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE']);

/** The parser's message when a document exceeds parseOptions.maxTokens. */
const TOKEN_LIMIT = /Document contains more tha[nt] \d+ tokens/;

/** An AppError thrown by a resolver, or by a scalar/validation rule under a GraphQL wrapper. */
function appErrorOf(error: unknown): { app: AppError; wrapped: boolean } | null {
  const original = unwrapResolverError(error);
  if (isAppError(original)) return { app: original, wrapped: false };
  if (error instanceof GraphQLError && isAppError(error.originalError)) return { app: error.originalError, wrapped: true };
  return null;
}

/** True when `error` (with Apollo's `code` for it, if any) is not one a client may see as it is. */
function isInternal(error: unknown, code: unknown): boolean {
  if (appErrorOf(error)) return false;
  return !(typeof code === 'string' && unwrapResolverError(error) === error && (code === 'GRAPHQL_PARSE_FAILED' || AS_BAD_USER_INPUT.has(code) || APOLLO_CODES.has(code)));
}

/**
 * Maps AppError to `extensions.code` with its message; anything else is masked as
 * INTERNAL_SERVER_ERROR with a fixed message (no SQL, stack, or driver text reaches clients).
 * `onInternal` receives the original (and the error as Apollo passed it) for logging.
 */
export function makeFormatError(onInternal: (error: unknown, raw: unknown) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const { locations, path } = formatted;
    const found = appErrorOf(error);
    if (found) {
      // A wrapped error's message names the variable or argument; a resolver's is the AppError's own.
      const message = found.wrapped && !path ? formatted.message : found.app.message;
      return { message, locations, path, extensions: { code: found.app.code, ...(found.app.details ?? {}) } };
    }
    const code = formatted.extensions?.code;
    if (!isInternal(error, code)) {
      if (code === 'GRAPHQL_PARSE_FAILED' && TOKEN_LIMIT.test(formatted.message)) {
        return { message: formatted.message.replace(/^Syntax Error: /, ''), locations, extensions: { code: 'TOO_LARGE' } };
      }
      if (AS_BAD_USER_INPUT.has(code as string)) return { message: formatted.message, locations, path, extensions: { code: 'BAD_USER_INPUT' } };
      return { message: formatted.message, locations, path, extensions: { code: code as string } };
    }
    onInternal(unwrapResolverError(error), error);
    return { message: 'Internal server error', path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/**
 * Logs the internal errors of a request with its request id, as Apollo meets them (before they
 * are masked), and remembers them in `logged` so that formatError does not log them again.
 */
export function internalErrorLogPlugin(logger: Logger): { plugin: ApolloServerPlugin<{ requestId: string }>; logged: WeakSet<object> } {
  const logged = new WeakSet<object>();
  const plugin: ApolloServerPlugin<{ requestId: string }> = {
    async requestDidStart({ contextValue }) {
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            if (!isInternal(error, error.extensions?.code)) continue;
            logged.add(error);
            const cause = unwrapResolverError(error);
            logger.error({ err: cause instanceof GraphQLError && cause.originalError ? cause.originalError : cause, requestId: contextValue.requestId }, 'internal error');
          }
        },
      };
    },
  };
  return { plugin, logged };
}
