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

/** Embeddings of `texts` (n x dims, row-major) and the module they came from. */
export async function cachedEmbeddings(
  texts: string[],
  log: (msg: string) => void = (m) => process.stderr.write(`${m}\n`),
): Promise<{ vectors: Float32Array; dims: number; module: { name: string; version: string; sha256: string; dims: number } }> {
  const registry = await loadModuleRegistry(loadConfig({ ...process.env, SEMHUB_LOG_LEVEL: 'silent' }));
  try {
    const encoder = registry.get();
    const { dims, sha256, name, version } = encoder.info;
    const key = createHash('sha256').update(sha256).update(texts.join('\u0000')).digest('hex').slice(0, 24);
    const dir = path.join(benchCacheDir(), `embeddings-${key}`);
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
