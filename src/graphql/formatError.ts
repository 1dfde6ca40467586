import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
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

/**
 * Maps AppError to `extensions.code` with its message; anything else is masked as
 * INTERNAL_SERVER_ERROR with a fixed message (no SQL, stack, or driver text reaches clients).
 * `onInternal` receives the original for logging.
 */
export function makeFormatError(onInternal: (error: unknown) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const { locations, path } = formatted;
    const found = appErrorOf(error);
    if (found) {
      // A wrapped error's message names the variable or argument; a resolver's is the AppError's own.
      const message = found.wrapped && !path ? formatted.message : found.app.message;
      return { message, locations, path, extensions: { code: found.app.code, ...(found.app.details ?? {}) } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && unwrapResolverError(error) === error) {
      if (code === 'GRAPHQL_PARSE_FAILED' && TOKEN_LIMIT.test(formatted.message)) {
        return { message: formatted.message.replace(/^Syntax Error: /, ''), locations, extensions: { code: 'TOO_LARGE' } };
      }
      if (AS_BAD_USER_INPUT.has(code)) return { message: formatted.message, locations, path, extensions: { code: 'BAD_USER_INPUT' } };
      if (APOLLO_CODES.has(code)) return { message: formatted.message, locations, path, extensions: { code } };
    }
    onInternal(unwrapResolverError(error));
    return { message: 'Internal server error', path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
