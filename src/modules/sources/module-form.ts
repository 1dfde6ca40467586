import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { MODEL_JSON, MODEL_ONNX } from './manifest.js';

/**
 * The two forms of a module directory:
 * - `tfjs`: a TF.js graph model: `model.json`, the weight shards it names, optionally `vocab.json`;
 * - `onnx`: an ONNX module: `model.onnx` (inputs `ids`, `mask`; first output the vectors) and
 *   `vocab.json` (its SentencePiece vocabulary), both required.
 */
export type ModuleForm = 'tfjs' | 'onnx';

/**
 * The form of the module in `dir`, decided by which graph file is there: `tfjs` when `model.json`
 * exists, `onnx` when only `model.onnx` does, null when neither. A directory with both is the
 * TF.js form: its model.onnx is not part of the module (not hashed, never run as the module's
 * graph), like any other file the form does not name. hashModuleDir and the registry both decide
 * through this function, so what is hashed is what runs.
 */
export async function moduleFormOf(dir: string): Promise<ModuleForm | null> {
  if (await exists(path.join(dir, MODEL_JSON))) return 'tfjs';
  if (await exists(path.join(dir, MODEL_ONNX))) return 'onnx';
  return null;
}

const exists = (file: string) => lstat(file).then(() => true, () => false);
