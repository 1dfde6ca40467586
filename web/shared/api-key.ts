/**
 * The API key the pages send as `Authorization: Bearer <key>` (needed when the server runs with
 * SEMHUB_API_KEYS). Kept in sessionStorage, so it lasts for the tab and is shared by the console
 * and GraphiQL (same origin), and is gone when the tab closes.
 */
const STORAGE_KEY = 'semhub.apiKey';

/** The stored key, or '' when there is none (or storage is unavailable). */
export function readApiKey(): string {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

/** Stores the key for this tab; '' forgets it. */
export function storeApiKey(key: string): void {
  try {
    if (key) sessionStorage.setItem(STORAGE_KEY, key);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage off (private mode in some browsers): the key then lives only in the page's memory
  }
}

/** The Authorization header for `key`, or none when it is empty. */
export function authHeaders(key: string): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}
