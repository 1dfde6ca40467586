import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { InputKind } from '../model-runner.js';
import { checkParity, type ParityResult } from './parity.js';
import { ORT_VERSION } from './session.js';
import { readTfjsGraph } from './tfjs-weights.js';
import { buildUseLiteGraph, refuseUseLite, USE_LITE_BUILDER_VERSION } from './use-lite-graph.js';
import { sha256 } from '../../../sha256.js';

/** The file a module in ONNX form ships its graph in, beside vocab.json. */
export const MODULE_ONNX = 'model.onnx';
/** Tokens a shipped ONNX graph reads of a text unless told otherwise (USE-lite's 128). */
export const DEFAULT_MAX_TOKENS = 128;

/** What a cached graph's report records: how it was built and how it compared with tfjs. */
export interface GraphReport {
  builder: string;
  moduleSha256: string;
  onnxSha256: string;
  onnxRuntime: string;
  maxTokens: number;
  dims: number;
  nodes: number;
  parity: ParityResult;
  createdAt: string;
}

/** An ONNX graph ready to serve (a file path), or the reason a module has none. */
export type OnnxGraph =
  | { kind: 'ready'; file: string; maxTokens: number; origin: 'built' | 'shipped'; report?: GraphReport }
  | { kind: 'refused'; reason: string };

type Logger = { info(o: object, msg?: string): void; warn?(o: object, msg?: string): void };

/**
 * The ONNX graph of a module, from the cache or made now:
 * - a module in ONNX form (`model.onnx` beside vocab.json) serves its own graph;
 * - a TF.js module of an architecture the builder knows (USE-lite) gets a graph built from its
 *   own weights, checked against the tfjs reference on the probe set (parity.ts), and stored with
 *   its report as `<cacheDir>/onnx/<module sha256>-<builder version>.onnx` / `.json`. A cached
 *   graph is used while its bytes match the report and the report names this ONNX Runtime; a
 *   graph that failed the check is remembered as refused (the reason is kept) and not rebuilt;
 * - anything else is refused, with the reason (the module then runs on tfjs).
 */
export async function prepareOnnxGraph(
  opts: { dir: string; sha256: string; inputKind: InputKind; cacheDir: string },
  logger?: Logger,
): Promise<OnnxGraph> {
  if (opts.inputKind === 'dense-sentencepiece') {
    return { kind: 'ready', file: path.join(opts.dir, MODULE_ONNX), maxTokens: DEFAULT_MAX_TOKENS, origin: 'shipped' };
  }
  if (opts.inputKind !== 'sparse-sentencepiece') return { kind: 'refused', reason: 'semhub builds ONNX graphs only for USE-style SentencePiece modules; this one takes raw strings' };
  const base = path.join(opts.cacheDir, 'onnx', `${opts.sha256}-${USE_LITE_BUILDER_VERSION}`);
  const cached = await readCached(base, opts.sha256);
  if (cached) return verdict(cached, `${base}.onnx`);

  const tfjsGraph = await readTfjsGraph(opts.dir);
  const refusal = refuseUseLite(tfjsGraph);
  if (refusal) return { kind: 'refused', reason: `no ONNX graph: the module is not an architecture semhub can convert (${refusal})` };
  const started = Date.now();
  const built = buildUseLiteGraph(tfjsGraph);
  const parity = await checkParity({ dir: opts.dir, model: built.bytes, maxTokens: built.maxTokens });
  const report: GraphReport = {
    builder: USE_LITE_BUILDER_VERSION,
    moduleSha256: opts.sha256,
    onnxSha256: sha256(built.bytes),
    onnxRuntime: ORT_VERSION,
    maxTokens: built.maxTokens,
    dims: built.dims,
    nodes: built.nodes,
    parity,
    createdAt: new Date().toISOString(),
  };
  await mkdir(path.dirname(base), { recursive: true });
  await atomicWrite(`${base}.onnx`, built.bytes);
  await atomicWrite(`${base}.json`, JSON.stringify(report, null, 2) + '\n');
  logger?.info({ graph: `${base}.onnx`, nodes: built.nodes, parity, ms: Date.now() - started }, parity.passed ? 'ONNX graph built and checked against tfjs' : 'ONNX graph built but refused by the parity check');
  return verdict(report, `${base}.onnx`);
}

function verdict(report: GraphReport, file: string): OnnxGraph {
  if (!report.parity.passed) return { kind: 'refused', reason: `the ONNX graph failed its parity check against tfjs: ${report.parity.reason}` };
  return { kind: 'ready', file, maxTokens: report.maxTokens, origin: 'built', report };
}

/** The cached report when it belongs to this module, builder and ONNX Runtime and its graph file is intact; else null. */
async function readCached(base: string, moduleSha256: string): Promise<GraphReport | null> {
  try {
    const report = JSON.parse(await readFile(`${base}.json`, 'utf8')) as GraphReport;
    if (report.builder !== USE_LITE_BUILDER_VERSION || report.moduleSha256 !== moduleSha256 || report.onnxRuntime !== ORT_VERSION) return null;
    if (!report.parity.passed) return report;
    const info = await stat(`${base}.onnx`);
    if (!info.isFile() || sha256(await readFile(`${base}.onnx`)) !== report.onnxSha256) return null;
    return report;
  } catch {
    return null;
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
async function atomicWrite(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}
