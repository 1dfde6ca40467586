import { createHash } from 'node:crypto';

/**
 * sha256 (lowercase hex) of a text's UTF-8 bytes or of bytes: semhub's one content hash. A
 * document's stored content hash, the embedding cache key, a built graph's checksum and an API
 * key's digest are all this. (Whole module folders and index files are hashed as streams:
 * modules/sources/hash.ts, index/files.ts.)
 */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
