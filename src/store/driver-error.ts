/**
 * Driver errors stop at the store boundary. drizzle wraps them in DrizzleQueryError, whose message
 * holds the SQL and its parameters (document text, metadata): that must never reach a caller or a
 * client. `storeError` keeps AppErrors and invariant failures, and turns anything else into a plain
 * Error that names the operation and the driver's error code only; the driver error (without the
 * SQL) stays as `cause` for server logs.
 */
import { AppError, InvariantError } from '../errors.js';

/** The innermost error of a `cause` chain that carries a driver `code` (better-sqlite3 or pg). */
export function driverError(e: unknown): (Error & { code?: unknown }) | null {
  let cur: unknown = e;
  for (let depth = 0; cur instanceof Error && depth < 8; depth++) {
    if (typeof (cur as { code?: unknown }).code === 'string') return cur as Error & { code?: unknown };
    cur = cur.cause;
  }
  return null;
}

/** The driver error code (e.g. SQLITE_CONSTRAINT_UNIQUE, or a SQLSTATE such as 23505), if any. */
function driverCode(e: unknown): string | null {
  const d = driverError(e);
  return d && typeof d.code === 'string' ? d.code : null;
}

/** True for a unique-constraint violation in either dialect. */
export function isUniqueViolation(e: unknown): boolean {
  const code = driverCode(e);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** `e` as it may leave the store: AppError/InvariantError untouched, anything else masked. */
function storeError(op: string, e: unknown): Error {
  if (e instanceof AppError || e instanceof InvariantError) return e;
  const code = driverCode(e);
  const cause = driverError(e) ?? undefined;
  return new Error(`store: ${op} failed${code ? ` (${code})` : ''}`, cause ? { cause } : undefined);
}

/** Runs `fn` and rethrows what it throws through `storeError`. */
export async function guard<T>(op: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw storeError(op, e);
  }
}

/**
 * An error for a failed open (start-up, seen by operators, not clients): names the target and
 * the driver's own message, which at open time holds no user data. `target` must not hold secrets.
 */
export function openError(target: string, e: unknown): Error {
  const inner = driverError(e) ?? (e instanceof Error ? e : new Error(String(e)));
  return new Error(`store: cannot open ${target}: ${inner.message}`, { cause: inner });
}
