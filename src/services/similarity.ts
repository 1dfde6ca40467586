import { badInput } from '../errors.js';
import { cosineMatrix } from '../modules/similarity.js';
import type { ModuleRegistry } from '../modules/types.js';
import { checkText, type Limits } from './validate.js';

/** Largest a x b similarity matrix one request may ask for. */
const MAX_SIMILARITY_CELLS = 1_000_000;

/** Cosine similarity between two lists of texts, embedded by one module (the `similarity` query). */
export class SimilarityService {
  constructor(private readonly modules: ModuleRegistry, private readonly limits: Limits) {}

  /**
   * The `a x b` cosine matrix (`result[i][j]` = cos(a[i], b[j])) of texts embedded together by
   * `module` (the default module when omitted) at interactive priority. Refused before anything is
   * embedded: BAD_USER_INPUT for more than SEMHUB_MAX_BATCH texts in all or more than
   * {@link MAX_SIMILARITY_CELLS} cells, the {@link checkText} codes for a text, NOT_FOUND for an
   * unknown module.
   */
  async matrix(module: string | null | undefined, a: readonly string[], b: readonly string[]): Promise<number[][]> {
    const { maxBatch } = this.limits;
    if (a.length + b.length > maxBatch) throw badInput(`a and b hold ${a.length + b.length} texts together; the limit is ${maxBatch}`);
    if (a.length * b.length > MAX_SIMILARITY_CELLS) throw badInput(`a x b is ${a.length * b.length} cells; the limit is ${MAX_SIMILARITY_CELLS}`);
    for (const t of [...a, ...b]) checkText(t, this.limits);
    const encoder = await this.modules.acquire(module);
    const vectors = await encoder.embed([...a, ...b], { priority: 'interactive' });
    return cosineMatrix(vectors.slice(0, a.length), vectors.slice(a.length));
  }
}
