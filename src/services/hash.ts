import { createHash } from 'node:crypto';

/** sha256 (hex) of a text's UTF-8 bytes: the document content hash and embedding cache key. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
