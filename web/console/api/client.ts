import { authHeaders, readApiKey, storeApiKey } from '../../shared/api-key';
import { postGraphql } from '../../shared/graphql-fetch';

/** A GraphQL error as the console shows it: semhub's message and its `extensions.code`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

let apiKey = readApiKey();
const unauthenticatedListeners = new Set<(error: ApiError) => void>();

/** The key requests are sent with ('' for none). */
export function currentApiKey(): string {
  return apiKey;
}

/** Uses `key` for every later request and keeps it for this tab ('' forgets it). */
export function setApiKey(key: string): void {
  apiKey = key;
  storeApiKey(key);
}

/** Calls `listener` whenever the server answers UNAUTHENTICATED (no key, or a key it does not know). */
export function onUnauthenticated(listener: (error: ApiError) => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

/**
 * Runs one GraphQL operation against this origin's /graphql with the API key as a bearer token and
 * returns its data; the first error (with its code) is thrown as an ApiError.
 */
export async function gql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  let response;
  try {
    response = await postGraphql<T>({ query, variables }, authHeaders(apiKey));
  } catch (e) {
    throw new ApiError(`the server did not answer: ${e instanceof Error ? e.message : String(e)}`, null);
  }
  const first = response.errors?.[0];
  if (first) {
    const error = new ApiError(first.message, first.extensions?.code ?? null);
    if (error.code === 'UNAUTHENTICATED') for (const listener of unauthenticatedListeners) listener(error);
    throw error;
  }
  return response.data as T;
}
