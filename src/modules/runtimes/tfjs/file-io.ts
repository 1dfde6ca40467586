import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { moduleFile } from '../../module-files.js';

/**
 * A tfjs `io.IOHandler` that loads a TF.js graph model from a directory on disk: `model.json`
 * plus the weight shards its `weightsManifest` names, read relative to the directory.
 * Pure `@tensorflow/tfjs` (no tfjs-node) has no `file://` loader, hence this one.
 * Reference: tfjs-node `io/file_system.ts` (NodeFileSystem), which does the same with fs.
 */
function fileIOHandler(dir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      const manifest = modelJson.weightsManifest ?? [];
      const specs: tf.io.WeightsManifestEntry[] = [];
      const shards: Buffer[] = [];
      for (const group of manifest) {
        specs.push(...group.weights);
        for (const p of group.paths) shards.push(await readFile(moduleFile(dir, p)));
      }
      const weightData = concatToArrayBuffer(shards);
      return tf.io.getModelArtifactsForJSON(modelJson, async () => [specs, weightData]);
    },
  };
}


/** One ArrayBuffer holding all shards in manifest order (tfjs expects a contiguous buffer). */
function concatToArrayBuffer(parts: Buffer[]): ArrayBuffer {
  const total = parts.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of parts) {
    out.set(b, offset);
    offset += b.byteLength;
  }
  return out.buffer;
}

/** Loads the TF.js graph model in `dir` (model.json + shards) with {@link fileIOHandler}. */
export async function loadGraphModelFromDir(dir: string): Promise<tf.GraphModel> {
  return tf.loadGraphModel(fileIOHandler(dir));
}
