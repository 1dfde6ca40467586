import { AppError, badInput } from '../../errors.js';
import { cachedModule } from './cache.js';
import { hashModuleDir } from './hash.js';
import { isTrusted, parseSource, untrustedError } from './trust.js';
import type { ModuleSpec } from '../types.js';

export { hashModuleDir } from './hash.js';
export { moduleFormOf, type ModuleForm } from './module-form.js';
export { isTrusted } from './trust.js';

/** A module source resolved to a verified local directory. */
export interface ResolvedModule {
  /** Absolute directory of the module: model.json, its shards and (optionally) vocab.json; or model.onnx and vocab.json. */
  dir: string;
  /** {@link hashModuleDir} of `dir`, lowercase hex. */
  sha256: string;
  /** Where it came from: the URL of the graph file named (model.json for a directory URL), or the absolute directory for path sources. */
  source: string;
}

/**
 * Resolves a module spec to a verified local directory (TF Hub's "handle → local path").
 * - A module is a TF.js graph model (model.json, shards, optional vocab.json) or an ONNX module
 *   (model.onnx and vocab.json); see moduleFormOf and hashModuleDir.
 * - The source (directory, `file:` URL, or http(s) URL of model.json, of model.onnx or of their
 *   directory) must be covered by a prefix in `opts.trusted` ({@link isTrusted}); otherwise
 *   MODULE_UNTRUSTED, before any file is read or fetched; so must every file a download fetches.
 *   `opts.trusted` is SEMHUB_TRUSTED_MODULE_SOURCES, parsed.
 * - Paths are verified in place: hashed, and MODULE_INTEGRITY when `spec.sha256` is given and
 *   differs; BAD_USER_INPUT names a missing graph file, shard or (ONNX form) vocab.json.
 * - URLs need `spec.sha256` (BAD_USER_INPUT otherwise) and resolve to `opts.cacheDir/<sha256>`,
 *   downloaded when absent or damaged and verified on every call (see cache.ts).
 */
export async function resolveModuleSource(spec: ModuleSpec, opts: { cacheDir: string; trusted: readonly string[] }): Promise<ResolvedModule> {
  const parsed = parseSource(spec.source);
  const location = parsed.kind === 'url' ? parsed.modelUrl.href : parsed.modelPath;
  if (!isTrusted(location, opts.trusted)) throw untrustedError(spec.source, parsed);
  const pin = checkPin(spec);
  if (parsed.kind === 'path') {
    const sha256 = await hashModuleDir(parsed.dir);
    if (pin !== undefined && pin !== sha256) {
      throw new AppError('MODULE_INTEGRITY', `expected sha256 ${pin}, got ${sha256} for ${parsed.dir}`, { expected: pin, got: sha256 });
    }
    return { dir: parsed.dir, sha256, source: parsed.dir };
  }
  if (pin === undefined) {
    throw badInput(
      `a URL module needs a sha256 pin: set sha256 for module "${spec.name}" (${location}) to the hashModuleDir ` +
        'value of a copy you have checked, so that what is downloaded is exactly that copy',
    );
  }
  const dir = await cachedModule(parsed, pin, opts.cacheDir, opts.trusted, location);
  return { dir, sha256: pin, source: location };
}

/** The spec's pin, lowercased; undefined when absent or empty; BAD_USER_INPUT when not 64 hex digits. */
function checkPin(spec: ModuleSpec): string | undefined {
  if (spec.sha256 === undefined || spec.sha256 === '') return undefined;
  if (!/^[0-9a-f]{64}$/i.test(spec.sha256)) {
    throw badInput(`sha256 of module "${spec.name}" must be 64 hex digits, got ${JSON.stringify(spec.sha256)}`);
  }
  return spec.sha256.toLowerCase();
}
