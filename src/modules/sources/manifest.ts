import { AppError, badInput } from '../../errors.js';

/** The graph file of a TF.js graph model; always stored under this name (also in the cache). */
export const MODEL_JSON = 'model.json';
/** The graph file of an ONNX module (inputs `ids`, `mask`; first output the vectors); always stored under this name. */
export const MODEL_ONNX = 'model.onnx';
/** The USE-style SentencePiece vocabulary: optional beside model.json, required beside model.onnx. */
export const VOCAB_JSON = 'vocab.json';
/** Largest model.json accepted (it is read into memory and parsed). */
export const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;
/** Largest module accepted: all its files together (model.json, shards, vocab.json; or model.onnx, vocab.json), 2 GiB. */
export const MAX_MODULE_BYTES = 2 * 1024 * 1024 * 1024;

// One path segment of a weight file: plain characters only, so that it names the same file on
// disk and as a relative URL (no `%`, `?`, `#`, `:`, `\`, spaces).
const SEGMENT = /^[\w.+@=,~-]+$/;

/** A TOO_LARGE error for a module that exceeds {@link MAX_MODULE_BYTES} (or model.json its own cap). */
export function moduleTooLarge(what: string, limit = MAX_MODULE_BYTES): AppError {
  return new AppError('TOO_LARGE', `${what} exceeds the module size limit of ${limit} bytes`, { limit });
}

/**
 * Checks one `weightsManifest[].paths` entry: a relative path made of plain segments, never
 * absolute, never `.` or `..`, so it cannot leave the module directory (or its URL directory).
 * Throws BAD_USER_INPUT naming the path and `where` (the model.json location).
 */
function checkWeightPath(p: unknown, where: string): string {
  if (typeof p !== 'string' || p === '') {
    throw badInput(`model.json at ${where}: weightsManifest paths must be non-empty strings, got ${JSON.stringify(p)}`);
  }
  const segments = p.split('/');
  const bad = segments.find((s) => s === '.' || s === '..' || !SEGMENT.test(s));
  if (bad !== undefined) {
    throw badInput(
      `model.json at ${where}: weight path ${JSON.stringify(p)} is refused: it must be relative and stay inside ` +
        `the module directory (segments of letters, digits and ._+@=,~- only; no "..", no leading "/")`,
    );
  }
  return p;
}

/**
 * Parses model.json bytes and returns the weight shard paths in manifest order (groups in order,
 * then `paths` in order), each checked by {@link checkWeightPath}. A path listed twice, or one
 * named model.json / vocab.json, is refused: every module file must have one role.
 */
export function parseShardPaths(bytes: Uint8Array, where: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw badInput(`model.json at ${where} is not valid JSON: ${(e as Error).message}`);
  }
  const manifest = (json as { weightsManifest?: unknown } | null)?.weightsManifest;
  if (!Array.isArray(manifest)) {
    throw badInput(`model.json at ${where} has no weightsManifest array: is it a TF.js graph model?`);
  }
  const seen = new Set<string>([MODEL_JSON, VOCAB_JSON]);
  const out: string[] = [];
  manifest.forEach((group: unknown, i) => {
    const paths = (group as { paths?: unknown } | null)?.paths;
    if (!Array.isArray(paths)) throw badInput(`model.json at ${where}: weightsManifest[${i}].paths must be an array`);
    for (const raw of paths) {
      const p = checkWeightPath(raw, where);
      if (seen.has(p)) throw badInput(`model.json at ${where}: weight path "${p}" is listed twice or clashes with ${MODEL_JSON}/${VOCAB_JSON}`);
      seen.add(p);
      out.push(p);
    }
  });
  return out;
}
