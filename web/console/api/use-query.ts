import { useCallback, useEffect, useState } from 'react';
import { ApiError, gql } from './client';

export interface QueryState<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  /** Runs the query again (after a write that changed what it shows). */
  reload: () => void;
}

/**
 * Runs a GraphQL query when the component shows and whenever its variables change (compared as
 * JSON); `variables` null skips it. A response that arrives after newer variables is dropped.
 */
export function useQuery<T>(query: string, variables: Record<string, unknown> | null): QueryState<T> {
  const [state, setState] = useState<{ data?: T; error: ApiError | null; loading: boolean }>({ error: null, loading: variables !== null });
  const [version, setVersion] = useState(0);
  const key = variables === null ? null : JSON.stringify(variables);
  useEffect(() => {
    if (key === null) return;
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    gql<T>(query, JSON.parse(key) as Record<string, unknown>).then(
      (data) => current && setState({ data, error: null, loading: false }),
      (error: unknown) => current && setState({ error: error instanceof ApiError ? error : new ApiError(String(error), null), loading: false }),
    );
    return () => {
      current = false;
    };
  }, [query, key, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
