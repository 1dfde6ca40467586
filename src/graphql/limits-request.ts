import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { AppError, tooLarge } from '../errors.js';
import { queryLimitsRule, type QueryLimits } from './limits.js';

/** The parts of a GraphQL-over-HTTP request the limits look at. */
export interface RequestShape {
  query?: unknown;
  variables?: unknown;
}

/**
 * Checks a request's document against the limits BEFORE Apollo parses and validates it, so the
 * standard validation rules (some super-linear in the number of fields) never see an oversized
 * document. Runs {@link queryLimitsRule} as its own validation pass, with the request's variables
 * so variable page sizes count at their value. Returns the TOO_LARGE error, or null when the
 * document is within the limits or does not parse (Apollo then reports GRAPHQL_PARSE_FAILED).
 */
export function checkQueryLimits(schema: GraphQLSchema, request: RequestShape, limits: QueryLimits & { maxQueryTokens: number }): AppError | null {
  if (typeof request.query !== 'string') return null;
  let document: DocumentNode;
  try {
    document = parse(request.query, { maxTokens: limits.maxQueryTokens, noLocation: true });
  } catch (e) {
    if (e instanceof RangeError) return tooLarge('the query nests too deeply to parse');
    if (e instanceof GraphQLError && /Document contains more tha[nt] \d+ tokens/.test(e.message)) {
      return tooLarge(`the query has more than ${limits.maxQueryTokens} tokens (SEMHUB_MAX_QUERY_TOKENS)`);
    }
    return null;
  }
  const variables = request.variables && typeof request.variables === 'object' ? (request.variables as Record<string, unknown>) : {};
  try {
    const errors = validate(schema, document, [queryLimitsRule(limits, variables)]);
    const problem = errors[0]?.originalError;
    return problem instanceof AppError ? problem : null;
  } catch (e) {
    if (e instanceof RangeError) return tooLarge('the query nests too deeply to check');
    throw e;
  }
}

/** Reads `query` and `variables` from a GET request's search string (variables as JSON). */
export function requestFromSearch(search: string): RequestShape {
  const params = new URLSearchParams(search);
  let variables: unknown;
  try {
    variables = JSON.parse(params.get('variables') ?? 'null');
  } catch {
    variables = undefined;
  }
  return { query: params.get('query') ?? undefined, variables };
}
