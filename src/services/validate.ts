import { AppError, badInput, tooLarge, type ErrorCode } from '../errors.js';

/** Limits that validation enforces; from Config.limits. */
export interface Limits {
  maxBatch: number;
  maxTextBytes: number;
  maxMetadataBytes: number;
}

const COLLECTION_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
// Control characters have no business in ids: they break logs, CSV exports and terminals.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Collection names: 1-64 characters, a letter first, then letters, digits, _ or -. */
export function checkCollectionName(name: string): string {
  if (!name) throw badInput('collection name must not be empty');
  if (!COLLECTION_NAME.test(name)) {
    throw badInput(
      `collection name "${name.slice(0, 80)}" is invalid: use 1-64 characters, a letter first, then letters, digits, _ or -`,
    );
  }
  return name;
}

/** Document ids: 1-256 characters, no control characters. Returns an error message or null. */
export function documentIdProblem(id: string): string | null {
  if (id.length === 0) return 'id must not be empty';
  if (id.length > 256) return `id is ${id.length} characters long; the limit is 256`;
  if (CONTROL.test(id)) return 'id contains control characters';
  if (!id.isWellFormed()) return 'id contains unpaired UTF-16 surrogates';
  return null;
}

/** Throws TOO_LARGE when a list exceeds the batch limit. */
export function checkBatch(what: string, n: number, limits: Limits): void {
  if (n > limits.maxBatch) {
    throw tooLarge(`${what} has ${n} items; the limit is ${limits.maxBatch} per request (SEMHUB_MAX_BATCH)`, {
      limit: limits.maxBatch,
    });
  }
}

/** Text problems (empty, too large, malformed UTF-16) as [code, message], or null. */
export function textProblem(text: string, limits: Limits): [string, string] | null {
  if (text.trim().length === 0) return ['BAD_USER_INPUT', 'text must not be empty'];
  if (text.length * 3 > limits.maxTextBytes) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > limits.maxTextBytes) {
      return ['TOO_LARGE', `text is ${bytes} bytes; the limit is ${limits.maxTextBytes} (SEMHUB_MAX_TEXT_BYTES)`];
    }
  }
  if (!text.isWellFormed()) return ['BAD_USER_INPUT', 'text contains unpaired UTF-16 surrogates'];
  return null;
}

/**
 * Throws TOO_LARGE for a text over SEMHUB_MAX_TEXT_BYTES and BAD_USER_INPUT for an empty or
 * malformed one: the check upserts make per item, for texts that queries embed (search, similarity).
 */
export function checkText(text: string, limits: Limits): void {
  const problem = textProblem(text, limits);
  if (problem) throw new AppError(problem[0] as ErrorCode, problem[1]);
}

/** Metadata must be a JSON object (or null) within the size limit; returns [code, message] or null. */
export function metadataProblem(metadata: unknown, limits: Limits): [string, string] | null {
  if (metadata === null || metadata === undefined) return null;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    return ['BAD_USER_INPUT', `metadata must be a JSON object, got ${Array.isArray(metadata) ? 'an array' : typeof metadata}`];
  }
  const json = JSON.stringify(metadata);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > limits.maxMetadataBytes) {
    return ['TOO_LARGE', `metadata is ${bytes} bytes as JSON; the limit is ${limits.maxMetadataBytes} (SEMHUB_MAX_METADATA_BYTES)`];
  }
  return null;
}
