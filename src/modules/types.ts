/**
 * Encoder modules in the TF Hub sense: a versioned, self-contained model (graph, weights and its
 * own preprocessing) that turns raw text into a fixed-size vector in one call.
 */
import type { BackendPreference } from '../config.js';

/** An encoder backend: ONNX Runtime with an execution provider, or a tfjs backend (the fallback and the reference). */
export type BackendName = Exclude<BackendPreference, 'auto'>;

export interface ModuleInfo {
  /** Registry name, e.g. "use-lite". */
  name: string;
  version: string;
  dims: number;
  /** sha256 over the module's files (model.json, shards, vocab), hex. */
  sha256: string;
  /** The backend the module's encoder runs on. */
  backend: BackendName;
  /** Why the module runs on `backend` when it is not the first choice (a refused ONNX graph, a provider that did not load); null otherwise. */
  backendNote: string | null;
  /** What the graph takes: "sparse-sentencepiece" for USE-lite, "text" for string-input graphs. */
  inputKind: string;
  /** Where it was loaded from: "bundled:…", a file path, or a URL. */
  source: string;
}

/**
 * Who waits for an embedding: `interactive` (search by text, classify, similarity: a person or a
 * client waiting on a few texts) is served ahead of `bulk` (upserts, ingest), which still gets its
 * share. The default is `interactive`.
 */
export type EmbedPriority = 'interactive' | 'bulk';

export interface EmbedOptions {
  priority?: EmbedPriority;
}

/** A loaded module: shared by all requests, batching and pooling inside. Output vectors are L2-normalized. */
export interface Encoder {
  readonly info: ModuleInfo;
  /** Embeds texts in input order. Throws AppError OVERLOADED when the queue is full. */
  embed(texts: string[], opts?: EmbedOptions): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export interface ModuleSpec {
  name: string;
  version: string;
  /** Directory, file: URL, or http(s) URL of a TF.js graph model (model.json beside shards and vocab.json). */
  source: string;
  /** Expected sha256 (hex) over the module's files; required for URLs. */
  sha256?: string;
}

export interface ModuleRegistry {
  readonly defaultName: string;
  list(): ModuleInfo[];
  /** The loaded encoder for `name` (default module when omitted); AppError NOT_FOUND when unknown. */
  get(name?: string | null): Encoder;
  /**
   * Like `get`, but a registry that knows where an unknown module was loaded from (one that follows
   * the store's module records: services/recorded-modules.ts) loads it first. Here: `get`.
   */
  acquire(name?: string | null): Promise<Encoder>;
  /** Loads (downloading and verifying when needed) and registers a module; MODULE_UNTRUSTED / MODULE_INTEGRITY on refusal. */
  register(spec: ModuleSpec): Promise<ModuleInfo>;
  close(): Promise<void>;
}
