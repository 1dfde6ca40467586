import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareOnnxGraph, type GraphReport, type OnnxGraph } from '../../../src/modules/runtimes/onnx/prepare.js';
import { ORT_VERSION } from '../../../src/modules/runtimes/onnx/session.js';
import { USE_LITE_BUILDER_VERSION } from '../../../src/modules/runtimes/onnx/use-lite-graph.js';
import { hashModuleDir } from '../../../src/modules/sources/hash.js';
import { bundledUseLiteDir } from '../../../src/modules/use-lite.js';
import { writeTextModel } from '../text-model.js';
import { testModuleCache } from '../use-lite-encoder.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('the ONNX graph cache', () => {
  const dir = bundledUseLiteDir();
  let moduleSha: string;
  let cacheDir: string;
  let graphFile: string;
  let reportFile: string;
  let first: OnnxGraph;
  let firstMs: number;
  const prepare = (over: { sha256?: string; cacheDir?: string } = {}) =>
    prepareOnnxGraph({ dir, sha256: moduleSha, inputKind: 'sparse-sentencepiece', cacheDir, ...over });
  const readReport = async (file = reportFile) => JSON.parse(await readFile(file, 'utf8')) as GraphReport;

  beforeAll(async () => {
    moduleSha = await hashModuleDir(dir);
    cacheDir = testModuleCache();
    graphFile = path.join(cacheDir, 'onnx', `${moduleSha}-${USE_LITE_BUILDER_VERSION}.onnx`);
    reportFile = path.join(cacheDir, 'onnx', `${moduleSha}-${USE_LITE_BUILDER_VERSION}.json`);
    const started = performance.now();
    first = await prepare();
    firstMs = performance.now() - started;
  });

  it('builds the graph on a fresh cache and writes it with its report under onnx/<sha256>-<builder>', async () => {
    expect(first).toMatchObject({ kind: 'ready', file: graphFile, maxTokens: 128, origin: 'built' });
    expect((await readdir(path.join(cacheDir, 'onnx'))).sort()).toEqual([path.basename(graphFile), path.basename(reportFile)].sort());
    const report = await readReport();
    expect(report).toMatchObject({ builder: USE_LITE_BUILDER_VERSION, moduleSha256: moduleSha, onnxRuntime: ORT_VERSION, maxTokens: 128, dims: 512 });
    expect(report.parity).toMatchObject({ passed: true, probes: 9 });
    expect(report.parity.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(report.parity.minCosine).toBeGreaterThanOrEqual(0.99999);
    expect(report.onnxSha256).toBe(sha256(await readFile(graphFile)));
    expect(first.kind === 'ready' && first.report).toEqual(report);
  });

  it('reuses the cached graph without rebuilding or rewriting it', async () => {
    const before = await Promise.all([stat(graphFile), stat(reportFile)]);
    const started = performance.now();
    const again = await prepare();
    const ms = performance.now() - started;
    const after = await Promise.all([stat(graphFile), stat(reportFile)]);
    console.log(`prepareOnnxGraph: built and checked in ${firstMs.toFixed(0)} ms, from the cache in ${ms.toFixed(0)} ms`);
    expect(again).toEqual(first);
    after.forEach((s, i) => {
      expect(s.ino).toBe(before[i]!.ino);
      expect(s.mtimeMs).toBe(before[i]!.mtimeMs);
    });
    expect(ms).toBeLessThan(firstMs / 2);
  });

  it('detects a graph file with a flipped byte and rebuilds it', async () => {
    const good = await readFile(graphFile);
    const { createdAt } = await readReport();
    const bad = Buffer.from(good);
    bad[bad.length >> 1]! ^= 0x01;
    await writeFile(graphFile, bad);
    const inode = (await stat(graphFile)).ino;

    const rebuilt = await prepare();
    expect(rebuilt).toMatchObject({ kind: 'ready', file: graphFile, origin: 'built' });
    expect((await stat(graphFile)).ino).not.toBe(inode);
    expect(Buffer.compare(await readFile(graphFile), good)).toBe(0);
    const report = await readReport();
    expect(report.createdAt).not.toBe(createdAt);
    expect(report.onnxSha256).toBe(sha256(good));
  });

  it('rebuilds when the report is there but the graph file is not', async () => {
    const good = await readFile(graphFile);
    await unlink(graphFile);
    expect(await prepare()).toMatchObject({ kind: 'ready', file: graphFile, origin: 'built' });
    expect(Buffer.compare(await readFile(graphFile), good)).toBe(0);
  });

  it('remembers a failed parity verdict as refused, with its reason, and does not rebuild', async () => {
    const failedSha = 'f'.repeat(64);
    const failedReport = path.join(cacheDir, 'onnx', `${failedSha}-${USE_LITE_BUILDER_VERSION}.json`);
    const reason = 'probe 3 ("Ünïcödé façade — naïve café, 日本語のテキスト"): max |diff| 2.50e-4, cosine 0.9999871';
    const report = await readReport();
    await writeFile(failedReport, JSON.stringify({ ...report, moduleSha256: failedSha, parity: { ...report.parity, passed: false, maxAbsDiff: 2.5e-4, reason } }));
    const before = await stat(failedReport);

    const result = await prepare({ sha256: failedSha });
    expect(result).toEqual({ kind: 'refused', reason: `the ONNX graph failed its parity check against tfjs: ${reason}` });
    expect(existsSync(path.join(cacheDir, 'onnx', `${failedSha}-${USE_LITE_BUILDER_VERSION}.onnx`))).toBe(false);
    expect((await stat(failedReport)).mtimeMs).toBe(before.mtimeMs);
  });

  it('refuses the string-input text model with a reason, writing nothing', async () => {
    const textDir = await mkdtemp(path.join(os.tmpdir(), 'semhub-text-model-'));
    await writeTextModel(textDir);
    const emptyCache = testModuleCache();
    const asText = await prepareOnnxGraph({ dir: textDir, sha256: 'text', inputKind: 'text', cacheDir: emptyCache });
    expect(asText).toEqual({ kind: 'refused', reason: expect.stringMatching(/only for USE-style SentencePiece modules; this one takes raw strings/) });
    // Even claimed as a SentencePiece module, its graph is not one the builder knows.
    const asSparse = await prepareOnnxGraph({ dir: textDir, sha256: 'text', inputKind: 'sparse-sentencepiece', cacheDir: emptyCache });
    expect(asSparse).toEqual({ kind: 'refused', reason: expect.stringMatching(/^no ONNX graph: the module is not an architecture semhub can convert \(its ops differ from USE-lite's: .*StringToHashBucketFast 1 \(USE-lite 0\)/) });
    expect(await readdir(emptyCache)).toEqual([]);
  });
});
