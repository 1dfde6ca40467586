/** One GraphQL request body, as POSTed to /graphql. */
export interface GraphqlBody {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/** A GraphQL response: data and/or coded errors. */
export interface GraphqlResponse<T = unknown> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * POSTs one operation to this origin's /graphql and returns the parsed body, whatever the HTTP
 * status (semhub answers auth, limit and validation failures as GraphQL-shaped JSON errors).
 */
export async function postGraphql<T>(body: GraphqlBody, headers: Record<string, string> = {}): Promise<GraphqlResponse<T>> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  try {
    return JSON.parse(text) as GraphqlResponse<T>;
  } catch {
    return { errors: [{ message: `HTTP ${res.status}: ${text.slice(0, 200) || res.statusText}` }] };
  }
}
