/**
 * The one error type semhub raises on purpose. `code` is stable and becomes
 * `extensions.code` in GraphQL responses; anything that is not an AppError is
 * masked as INTERNAL_SERVER_ERROR (see graphql/format-error.ts).
 */
export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'MODULE_UNTRUSTED',
  'MODULE_INTEGRITY',
  'TOO_LARGE',
  'OVERLOADED',
  'INTERNAL_SERVER_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new AppError('BAD_USER_INPUT', message, details);
export const notFound = (message: string) => new AppError('NOT_FOUND', message);
/**
 * CONFLICT; `reason` (extensions.reason in GraphQL) tells refusals of one operation apart, for
 * clients that act on them: MODULE_CHANGED, MIGRATION_RUNNING, SAME_MODULE, NO_MIGRATION,
 * NO_PREVIOUS_MODULE, CLASSIFIER_STALE.
 */
export const conflict = (message: string, reason?: string) => new AppError('CONFLICT', message, reason ? { reason } : undefined);
export const tooLarge = (message: string, details?: Record<string, unknown>) =>
  new AppError('TOO_LARGE', message, details);

/** A programmer mistake, never a user-facing code: it surfaces as INTERNAL_SERVER_ERROR. */
export class InvariantError extends Error {
  constructor(message: string) {
    super(`Invariant failed: ${message}`);
    this.name = 'InvariantError';
  }
}

export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
