import { useCallback, useState } from 'react';
import { ApiError } from './client';

/** A failed action: what the reviewer tried ("Renaming a cluster") and why it failed. */
export interface ActionFailure {
  action: string;
  error: ApiError;
}

/**
 * Runs user actions (mostly mutations) one at a time: `busy` while one runs, `failure` when the
 * last one failed (shown by <ErrorMessage>), cleared when the next starts.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const run = useCallback(async <T,>(action: string, work: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setFailure(null);
    try {
      return await work();
    } catch (e) {
      setFailure({ action, error: e instanceof ApiError ? e : new ApiError(e instanceof Error ? e.message : String(e), null) });
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, failure };
}
