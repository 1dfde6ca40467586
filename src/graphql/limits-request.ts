import { BREAK, GraphQLError, Kind, parse, validate, visit, type DocumentNode, type GraphQLSchema } from 'graphql';
import { AppError, tooLarge } from '../errors.js';
import { LruCache } from '../lru-cache.js';
import { queryLimitsRule, SIZE_ARGS, type QueryLimits } from './limits.js';

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
  const parsed = parseForLimits(request.query, limits);
  return parsed instanceof AppError || parsed === null ? parsed : validateLimits(schema, parsed, request.variables, limits);
}

/** Documents longer than this are checked afresh each time, not cached. */
const CACHED_QUERY_MAX_CHARS = 20_000;
/** Distinct query strings a checker remembers (least recently used dropped first). */
const CACHED_QUERIES = 500;

type Verdict = { document: DocumentNode; variableSized: boolean; result?: AppError | null } | AppError | null;

/**
 * {@link checkQueryLimits} with a bounded cache per query string: clients send the same few
 * documents over and over, so each is parsed once, and one whose list sizes are all literals
 * (no `first: $n`) is measured once. Checking a cached document costs a map lookup, where
 * parsing and walking it again cost about a tenth of a vector search request.
 */
export class QueryLimitsChecker {
  private readonly cache = new LruCache<string, Verdict>(CACHED_QUERIES);

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly limits: QueryLimits & { maxQueryTokens: number },
  ) {}

  check(request: RequestShape): AppError | null {
    const query = request.query;
    if (typeof query !== 'string') return null;
    if (query.length > CACHED_QUERY_MAX_CHARS) return checkQueryLimits(this.schema, request, this.limits);
    let verdict = this.cache.get(query);
    if (verdict === undefined) {
      const parsed = parseForLimits(query, this.limits);
      verdict = parsed instanceof AppError || parsed === null ? parsed : { document: parsed, variableSized: hasVariableSize(parsed) };
      this.cache.set(query, verdict);
    }
    if (verdict === null || verdict instanceof AppError) return verdict;
    if (verdict.variableSized) return validateLimits(this.schema, verdict.document, request.variables, this.limits);
    if (verdict.result === undefined) verdict.result = validateLimits(this.schema, verdict.document, undefined, this.limits);
    return verdict.result;
  }
}

/** The parsed document, its TOO_LARGE error, or null when it does not parse (Apollo reports that). */
function parseForLimits(query: string, limits: { maxQueryTokens: number }): DocumentNode | AppError | null {
  try {
    return parse(query, { maxTokens: limits.maxQueryTokens, noLocation: true });
  } catch (e) {
    if (e instanceof RangeError) return tooLarge('the query nests too deeply to parse');
    if (e instanceof GraphQLError && /Document contains more tha[nt] \d+ tokens/.test(e.message)) {
      return tooLarge(`the query has more than ${limits.maxQueryTokens} tokens (SEMHUB_MAX_QUERY_TOKENS)`);
    }
    return null;
  }
}

function validateLimits(schema: GraphQLSchema, document: DocumentNode, rawVariables: unknown, limits: QueryLimits): AppError | null {
  const variables = rawVariables && typeof rawVariables === 'object' ? (rawVariables as Record<string, unknown>) : {};
  try {
    const errors = validate(schema, document, [queryLimitsRule(limits, variables)]);
    const problem = errors[0]?.originalError;
    return problem instanceof AppError ? problem : null;
  } catch (e) {
    if (e instanceof RangeError) return tooLarge('the query nests too deeply to check');
    throw e;
  }
}

/** True when a size argument (`first`, `limit`, `ids`, `texts`) takes a variable: the cost then depends on the request. */
function hasVariableSize(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Argument(node) {
      if (SIZE_ARGS.includes(node.name.value) && node.value.kind === Kind.VARIABLE) {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
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
