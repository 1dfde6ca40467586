import * as tf from '@tensorflow/tfjs';
import { readGraphModelFiles } from '../../module-files.js';

/**
 * A tfjs `io.IOHandler` that loads a TF.js graph model from a directory on disk: `model.json`
 * plus the weight shards its `weightsManifest` names, read relative to the directory.
 * Pure `@tensorflow/tfjs` (no tfjs-node) has no `file://` loader, hence this one.
 * Reference: tfjs-node `io/file_system.ts` (NodeFileSystem), which does the same with fs.
 */
function fileIOHandler(dir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const { modelJson, specs, weightData } = await readGraphModelFiles<tf.io.ModelJSON>(dir);
      // weightData fills a buffer of its own: tfjs takes it as is.
      return tf.io.getModelArtifactsForJSON(modelJson, async () => [specs as tf.io.WeightsManifestEntry[], weightData.buffer as ArrayBuffer]);
    },
  };
}

/** Loads the TF.js graph model in `dir` (model.json + shards) with {@link fileIOHandler}. */
export async function loadGraphModelFromDir(dir: string): Promise<tf.GraphModel> {
  return tf.loadGraphModel(fileIOHandler(dir));
}
