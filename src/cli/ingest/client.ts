/** An error in a GraphQL response, with its extensions.code. */
export interface GqlError {
  message: string;
  extensions?: { code?: string };
}

/** A request that failed as a whole: the code tells retry (OVERLOADED, NETWORK) from stop or split. */
export class RequestFailed extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RequestFailed';
  }
}

/** Codes worth another try after a pause: the server is busy, restarting or unreachable. */
const RETRYABLE = new Set(['OVERLOADED', 'NETWORK', 'HTTP_502', 'HTTP_503', 'HTTP_504']);

export interface ClientOptions {
  url: string;
  apiKey?: string;
  /** Tries per request for retryable failures (default 6: pauses of 0.5, 1, 2, 4, 8 s). */
  attempts?: number;
  /** Per-request timeout in ms (default 120 s). */
  timeoutMs?: number;
}

/**
 * A small GraphQL-over-HTTP client for the CLI (fetch, JSON). `request` returns data, or throws
 * RequestFailed with the first error's code when the response carries no data; busy and
 * unreachable servers are retried with exponential back-off.
 */
export class GraphQLClient {
  constructor(private readonly opts: ClientOptions) {}

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const attempts = this.opts.attempts ?? 6;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(query, variables);
      } catch (e) {
        const failed = e instanceof RequestFailed ? e : new RequestFailed('NETWORK', (e as Error).message);
        if (!RETRYABLE.has(failed.code) || attempt >= attempts) throw failed;
        await new Promise((r) => setTimeout(r, 500 * 2 ** (attempt - 1)));
      }
    }
  }

  private async once<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    let res: Response;
    try {
      res = await fetch(this.opts.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(this.opts.timeoutMs ?? 120_000) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
      const why = cause?.code ?? cause?.errors?.[0]?.code ?? (cause?.message || (e as Error).message);
      throw new RequestFailed('NETWORK', `cannot reach ${this.opts.url}: ${why}`);
    }
    const text = await res.text();
    let body: { data?: T | null; errors?: GqlError[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new RequestFailed(`HTTP_${res.status}`, `HTTP ${res.status} from ${this.opts.url}: ${text.slice(0, 200)}`);
    }
    const first = body.errors?.[0];
    if (first && (body.data === undefined || body.data === null || Object.values(body.data as object).every((v) => v === null))) {
      throw new RequestFailed(first.extensions?.code ?? `HTTP_${res.status}`, first.message);
    }
    return body.data as T;
  }
}
