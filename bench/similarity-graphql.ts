/**
 * STS-B dev Spearman measured the way a user would get it: the `similarity` query of a running
 * semhub server over HTTP (pairs sent in chunks; the diagonal of each a x b matrix is the pair's cosine).
 */
import type { StsPair } from './datasets.js';
import { gql, removeDir, startServerProcess } from './server-process.js';

const CHUNK = 250;

export async function stsSpearmanViaGraphql(pairs: StsPair[], spearman: (x: number[], y: number[]) => number): Promise<number> {
  const server = await startServerProcess({ env: { SEMHUB_EMBED_WORKERS: '1' } });
  try {
    const cos: number[] = [];
    for (let i = 0; i < pairs.length; i += CHUNK) {
      const part = pairs.slice(i, i + CHUNK);
      const r = await gql(server.url, `query($a: [String!]!, $b: [String!]!) { similarity(a: $a, b: $b) }`, {
        a: part.map((p) => p.a),
        b: part.map((p) => p.b),
      });
      if (!r.data) throw new Error(`similarity failed: ${JSON.stringify(r.errors)}`);
      const m = r.data.similarity as number[][];
      part.forEach((_, j) => cos.push(m[j]![j]!));
    }
    return spearman(pairs.map((p) => p.score), cos);
  } finally {
    await server.stop();
    removeDir(server.dataDir);
  }
}
