import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readTfjsGraph } from '../../src/modules/runtimes/onnx/tfjs-weights.js';
import { buildUseLiteGraph } from '../../src/modules/runtimes/onnx/use-lite-graph.js';
import { bundledUseLiteDir } from '../../src/modules/use-lite.js';

/** The files of a module in ONNX form, in the order hashModuleDir hashes them. */
export const ONNX_MODULE_FILES = ['model.onnx', 'vocab.json'] as const;

let graph: Promise<Uint8Array> | undefined;

/**
 * The dense USE-lite ONNX graph (about 28 MB; inputs `ids` int32 [B, T] and `mask` float32
 * [B, T], output `embeddings` [B, 512]) built from the bundled module's TF.js weights by
 * buildUseLiteGraph: a real graph ONNX Runtime can run. Built once per test process.
 */
export function useLiteOnnxBytes(): Promise<Uint8Array> {
  graph ??= readTfjsGraph(bundledUseLiteDir()).then((g) => buildUseLiteGraph(g).bytes);
  return graph;
}

/**
 * Writes a module in ONNX form to `dir` (created if needed): the USE-lite graph as `model.onnx`
 * ({@link useLiteOnnxBytes}) and the bundled module's SentencePiece `vocab.json` beside it.
 * Returns `dir`.
 */
export async function writeOnnxModule(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'model.onnx'), await useLiteOnnxBytes());
  await copyFile(path.join(bundledUseLiteDir(), 'vocab.json'), path.join(dir, 'vocab.json'));
  return dir;
}
