import type { ApiError } from '../api/client';
import type { ActionFailure } from '../api/use-action';

/** The scope a FORBIDDEN message names for the caller's key ("… the API key has read"). */
function keyScope(message: string): string {
  return /the API key has (\w+)/.exec(message)?.[1] ?? 'read';
}

/** What to tell the reviewer about a failed request: a read-only key gets a plain explanation. */
export function explain(error: ApiError, action?: string): string {
  const doing = action ?? 'This';
  if (error.code === 'FORBIDDEN') {
    const scope = keyScope(error.message);
    const needs = /needs the (\w+) scope/.exec(error.message)?.[1] ?? 'write';
    return `${doing} is not allowed with this API key: it is ${scope === 'read' ? 'read-only' : `a ${scope} key`} (scope ${scope}), and ${action ? action.toLowerCase() : 'this'} needs the ${needs} scope. Everything else stays readable; use “Change key” to enter a key with the ${needs} scope.`;
  }
  if (error.code === 'UNAUTHENTICATED') return `An API key is needed: ${error.message}.`;
  return `${action ? `${action} failed: ` : ''}${error.message}${error.code ? ` (${error.code})` : ''}`;
}

/** An error or failed action, announced to screen readers; nothing when there is none. */
export function ErrorMessage({ error, failure, action }: { error?: ApiError | null; failure?: ActionFailure | null; action?: string }) {
  const shown = failure?.error ?? error;
  if (!shown) return null;
  const forbidden = shown.code === 'FORBIDDEN';
  return (
    <p role="alert" className={forbidden ? 'message forbidden' : 'message error'} data-code={shown.code ?? ''}>
      {explain(shown, failure?.action ?? action)}
    </p>
  );
}
