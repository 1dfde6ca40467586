import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** `dir/rel` for a file a module's manifest names, refusing paths that leave the module directory (`../`, absolute). */
export function moduleFile(dir: string, rel: string): string {
  const root = path.resolve(dir);
  const full = path.resolve(root, rel);
  if (!full.startsWith(root + path.sep)) throw new Error(`weight path "${rel}" in model.json leaves the module directory`);
  return full;
}

/** One weight as a TF.js model.json's `weightsManifest` lists it. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

/** A TF.js graph model as read from disk: its model.json, and every weight shard in manifest order. */
export interface GraphModelFiles<J> {
  modelJson: J;
  /** Every group's weights, in manifest order: the order of their bytes in `weightData`. */
  specs: WeightSpec[];
  /** The shards concatenated in manifest order, in a buffer of their own. */
  weightData: Uint8Array;
}

/**
 * Reads `model.json` and the weight shards its `weightsManifest` names from a module directory
 * (paths may not leave it). The one reader of a TF.js model's files: the tfjs loader and the ONNX
 * graph builder both start here.
 */
export async function readGraphModelFiles<J extends { weightsManifest?: Array<{ paths: string[]; weights: WeightSpec[] }> }>(dir: string): Promise<GraphModelFiles<J>> {
  const modelJson = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as J;
  const groups = modelJson.weightsManifest ?? [];
  const shards = await Promise.all(groups.flatMap((g) => g.paths.map((p) => readFile(moduleFile(dir, p)))));
  return { modelJson, specs: groups.flatMap((g) => g.weights), weightData: new Uint8Array(Buffer.concat(shards)) };
}
