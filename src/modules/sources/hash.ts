import { createHash, type Hash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { AppError, badInput } from '../../errors.js';
import { MAX_MODEL_JSON_BYTES, MAX_MODULE_BYTES, MODEL_JSON, MODEL_ONNX, VOCAB_JSON, moduleTooLarge, parseShardPaths } from './manifest.js';
import { moduleFormOf } from './module-form.js';

const CHUNK = 1024 * 1024;

/**
 * sha256 (lowercase hex) identifying a module directory's content, the value to pin as
 * `ModuleSpec.sha256`. The files hashed depend on the directory's form ({@link moduleFormOf}):
 * - TF.js form (the directory has `model.json`), in canonical order
 *   1. `model.json`,
 *   2. each `weightsManifest[g].paths[i]` in manifest order (group g, then i),
 *   3. `vocab.json`, only when the directory has one;
 * - ONNX form (`model.onnx`, no `model.json`): `model.onnx`, then `vocab.json` (both required).
 * For each file the hash is fed `<name> NUL <size in decimal> LF <bytes>`, where name is the
 * relative path with `/` separators. Other files in the directory are ignored, among them a
 * model.onnx beside model.json. From a shell:
 * ```
 * for f in model.json $(jq -r '.weightsManifest[].paths[]' model.json) vocab.json; do
 *   printf '%s\0%s\n' "$f" "$(stat -c %s "$f")"; cat "$f"; done | sha256sum
 * for f in model.onnx vocab.json; do                                   # ONNX form
 *   printf '%s\0%s\n' "$f" "$(stat -c %s "$f")"; cat "$f"; done | sha256sum
 * ```
 * Files are streamed (shards and graphs may be large). Throws BAD_USER_INPUT for a missing
 * directory, a directory with neither graph file, a missing shard, a model.onnx without
 * vocab.json, an unsafe weight path; TOO_LARGE past 2 GiB in all.
 */
export async function hashModuleDir(dir: string): Promise<string> {
  const root = path.resolve(dir);
  const rootStat = await stat(root).catch(() => null);
  if (!rootStat?.isDirectory()) throw badInput(`module directory ${root} does not exist or is not a directory`);
  const form = await moduleFormOf(root);
  if (form === null) {
    throw badInput(`module directory ${root} has neither ${MODEL_JSON} (a TF.js graph model) nor ${MODEL_ONNX} with ${VOCAB_JSON} (an ONNX module)`);
  }
  const hash = createHash('sha256');
  if (form === 'onnx') {
    const graph = await hashFile(hash, root, MODEL_ONNX, MAX_MODULE_BYTES, `has no ${MODEL_ONNX}`);
    await hashFile(hash, root, VOCAB_JSON, MAX_MODULE_BYTES - graph.size, `has ${MODEL_ONNX} but no ${VOCAB_JSON}: an ONNX module needs both`);
    return hash.digest('hex');
  }
  const modelBytes = await hashFile(hash, root, MODEL_JSON, MAX_MODEL_JSON_BYTES, `has no ${MODEL_JSON}`);
  const shards = parseShardPaths(modelBytes.bytes, path.join(root, MODEL_JSON));
  let total = modelBytes.size;
  for (const shard of shards) {
    total += (await hashFile(hash, root, shard, MAX_MODULE_BYTES - total, `is missing weight shard "${shard}" named in ${MODEL_JSON}`)).size;
  }
  const vocab = await stat(path.join(root, VOCAB_JSON)).catch(() => null);
  if (vocab) await hashFile(hash, root, VOCAB_JSON, MAX_MODULE_BYTES - total, `has no ${VOCAB_JSON}`);
  return hash.digest('hex');
}

/**
 * Feeds one framed file into `hash`; returns its size (and its bytes for model.json, which is
 * hashed from the same bytes that are parsed). `missing` completes "module directory X …".
 */
async function hashFile(hash: Hash, root: string, rel: string, budget: number, missing: string): Promise<{ size: number; bytes: Buffer }> {
  const full = path.join(root, ...rel.split('/'));
  let fh: FileHandle;
  try {
    fh = await open(full, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw badInput(`module directory ${root} ${missing}`);
    throw e;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw badInput(`module file ${full} is not a regular file`);
    if (st.size > budget) throw moduleTooLarge(`module file ${full} (${st.size} bytes)`, rel === MODEL_JSON ? MAX_MODEL_JSON_BYTES : MAX_MODULE_BYTES);
    hash.update(`${rel}\0${st.size}\n`, 'utf8');
    const keep = rel === MODEL_JSON;
    const parts: Buffer[] = [];
    const buf = Buffer.allocUnsafe(CHUNK);
    let done = 0;
    // Read to EOF, but never trust more than st.size: a file that shrank or grew meanwhile is refused.
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, done);
      if (bytesRead === 0) break;
      done += bytesRead;
      if (done > st.size) break;
      hash.update(buf.subarray(0, bytesRead));
      if (keep) parts.push(Buffer.from(buf.subarray(0, bytesRead)));
    }
    if (done !== st.size) {
      throw new AppError('MODULE_INTEGRITY', `module file ${full} changed while it was hashed (expected ${st.size} bytes)`);
    }
    return { size: st.size, bytes: keep ? Buffer.concat(parts) : Buffer.alloc(0) };
  } finally {
    await fh.close();
  }
}
