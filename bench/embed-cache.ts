/**
 * Real USE-lite embeddings of a text list, computed once through semhub's own encoder pipeline
 * and cached under SEMHUB_BENCH_CACHE (default ./data/bench-cache) in chunk files, so an
 * interrupted run resumes where it stopped. The cache key covers the module sha256 and the texts.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { loadModuleRegistry } from '../src/modules/registry.js';

const CHUNK = 2048;

export function benchCacheDir(): string {
  return path.resolve(process.env.SEMHUB_BENCH_CACHE ?? path.join('data', 'bench-cache'));
}

/** The cache folder of a text list embedded by the module with `sha256`. */
function cacheDir(sha256: string, texts: string[]): string {
  const key = createHash('sha256').update(sha256).update(texts.join('\u0000')).digest('hex').slice(0, 24);
  return path.join(benchCacheDir(), `embeddings-${key}`);
}

/**
 * The rows of `texts` read from the complete cache of `superset` (another text list, e.g. every
 * text of the shared data that bench search embeds), or null when that cache is incomplete or a
 * text is not in it.
 */
function fromSuperset(texts: string[], superset: string[], sha256: string, dims: number): Float32Array | null {
  const dir = cacheDir(sha256, superset);
  const chunks = Math.ceil(superset.length / CHUNK);
  for (let c = 0; c < chunks; c++) if (!existsSync(path.join(dir, `${c}.f32`))) return null;
  const row = new Map(superset.map((t, i) => [t, i]));
  if (!texts.every((t) => row.has(t))) return null;
  const vectors = new Float32Array(texts.length * dims);
  const loaded = new Map<number, Float32Array>();
  texts.forEach((t, i) => {
    const at = row.get(t)!;
    const c = Math.floor(at / CHUNK);
    if (!loaded.has(c)) {
      const bytes = readFileSync(path.join(dir, `${c}.f32`));
      loaded.set(c, new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
    }
    vectors.set(loaded.get(c)!.subarray((at % CHUNK) * dims, (at % CHUNK + 1) * dims), i * dims);
  });
  return vectors;
}

/**
 * Embeddings of `texts` (n x dims, row-major) and the module they came from. With `superset`,
 * rows already in that list's complete cache are read from it instead of being embedded again.
 */
export async function cachedEmbeddings(
  texts: string[],
  log: (msg: string) => void = (m) => process.stderr.write(`${m}\n`),
  opts: { superset?: () => string[] } = {},
): Promise<{ vectors: Float32Array; dims: number; module: { name: string; version: string; sha256: string; dims: number } }> {
  const registry = await loadModuleRegistry(loadConfig({ ...process.env, SEMHUB_LOG_LEVEL: 'silent' }));
  try {
    const encoder = registry.get();
    const { dims, sha256, name, version } = encoder.info;
    const reused = opts.superset ? fromSuperset(texts, opts.superset(), sha256, dims) : null;
    if (reused) {
      log(`read ${texts.length} embeddings from the cache of a larger text list`);
      return { vectors: reused, dims, module: { name, version, sha256, dims } };
    }
    const dir = cacheDir(sha256, texts);
    mkdirSync(dir, { recursive: true });
    const vectors = new Float32Array(texts.length * dims);
    const started = Date.now();
    let computed = 0;
    for (let start = 0, chunk = 0; start < texts.length; start += CHUNK, chunk++) {
      const file = path.join(dir, `${chunk}.f32`);
      const n = Math.min(CHUNK, texts.length - start);
      if (!existsSync(file)) {
        const out = await encoder.embed(texts.slice(start, start + n));
        const buf = new Float32Array(n * dims);
        out.forEach((v, i) => buf.set(v, i * dims));
        writeFileSync(`${file}.tmp`, Buffer.from(buf.buffer));
        renameSync(`${file}.tmp`, file);
        computed += n;
        const rate = computed / ((Date.now() - started) / 1000);
        log(`embedded ${start + n}/${texts.length} (${rate.toFixed(0)} texts/s, ETA ${((texts.length - start - n) / rate / 60).toFixed(1)} min)`);
      }
      const bytes = readFileSync(file);
      vectors.set(new Float32Array(bytes.buffer, bytes.byteOffset, n * dims), start * dims);
    }
    return { vectors, dims, module: { name, version, sha256, dims } };
  } finally {
    await registry.close();
  }
}
