/**
 * The error of work stopped by an AbortSignal: name 'AbortError', as fetch and timers use. A
 * caller that aborts terminates its worker with one (WorkerHost.terminate), so the call rejects
 * with it; code that stops between steps throws one.
 */
export function abortError(message: string): Error {
  const e = new Error(message);
  e.name = 'AbortError';
  return e;
}
