import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendPreference } from '../../../src/config.js';
import { AUTO_ORDER, loadModelRunner } from '../../../src/modules/runtimes/load-runner.js';
import type { InputKind, ModelRunner } from '../../../src/modules/runtimes/model-runner.js';
import type { GraphReport } from '../../../src/modules/runtimes/onnx/prepare.js';
import { cudaProviderInstalled, ORT_VERSION } from '../../../src/modules/runtimes/onnx/session.js';
import { USE_LITE_BUILDER_VERSION } from '../../../src/modules/runtimes/onnx/use-lite-graph.js';
import { hashModuleDir } from '../../../src/modules/sources/hash.js';
import { bundledUseLiteDir } from '../../../src/modules/use-lite.js';
import { writeOnnxModule } from '../onnx-module.js';
import { writeTextModel } from '../text-model.js';
import { loadUseLite, SENTENCES, testModuleCache } from '../use-lite-encoder.js';
import { packageInstalled } from '../../support/requires.js';

type Logged = { level: 'info' | 'warn'; o: object; msg?: string };

/** A logger that keeps what it is told. */
function recorder(): { logs: Logged[]; info(o: object, msg?: string): void; warn(o: object, msg?: string): void } {
  const logs: Logged[] = [];
  return { logs, info: (o, msg) => logs.push({ level: 'info', o, msg }), warn: (o, msg) => logs.push({ level: 'warn', o, msg }) };
}

const TFJS_BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
const installed = packageInstalled;
// Where a native TensorFlow is installed, the tfjs fallback prefers it to wasm.
const tfjsFallback = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node') ? 'tensorflow' : 'wasm';
// The CUDA provider library is not in the npm package; where someone installed it, `auto` takes onnx-cuda.
const cuda = cudaProviderInstalled();
const ifNoCuda = cuda ? ' (skipped: the CUDA provider library is installed on this host)' : '';

describe('encoder backend selection', () => {
  const dir = bundledUseLiteDir();
  const cacheDir = testModuleCache();
  const runners: ModelRunner[] = [];
  let sha256: string;

  const load = async (over: { dir?: string; sha256?: string; inputKind?: InputKind; backend: BackendPreference; cacheDir?: string }, logger?: ReturnType<typeof recorder>) => {
    const runner = await loadModelRunner({ dir, sha256, inputKind: 'sparse-sentencepiece', cacheDir, tokenBudget: 384, maxRows: 64, ...over }, logger);
    runners.push(runner);
    return runner;
  };

  beforeAll(async () => {
    sha256 = await hashModuleDir(dir);
  });
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.dispose()));
  });

  it('tries a GPU first, then ONNX Runtime on the CPU, then the tfjs backends', () => {
    expect(AUTO_ORDER).toEqual(['onnx-cuda', 'tensorflow-gpu', 'onnx-cpu', 'tensorflow', 'wasm', 'cpu']);
  });

  it.skipIf(cuda)(`auto runs USE-lite on onnx-cpu here, noting that onnx-cuda was skipped for want of the CUDA provider${ifNoCuda}`, async () => {
    expect(cudaProviderInstalled()).toBe(false);
    const runner = await load({ backend: 'auto' });
    expect(runner.backend).toBe('onnx-cpu');
    expect(runner.dims).toBe(512);
    expect(runner.note).toMatch(/^auto skipped onnx-cuda: the CUDA provider library is not installed \(install it with ONNXRUNTIME_NODE_INSTALL=cuda12/);
    const vectors = await runner.run(SENTENCES.slice(0, 2));
    expect(vectors).toHaveLength(1024);
    expect(Math.hypot(...vectors.subarray(0, 512))).toBeCloseTo(1, 5);
  });

  it('runs USE-lite on onnx-cpu, without a note, when asked for it', async () => {
    const runner = await load({ backend: 'onnx-cpu' });
    expect(runner).toMatchObject({ backend: 'onnx-cpu', dims: 512, note: null });
  });

  it.skipIf(cuda)(`rejects an explicit onnx-cuda, naming the backend and the provider, instead of falling back${ifNoCuda}`, async () => {
    await expect(load({ backend: 'onnx-cuda' })).rejects.toThrow(
      /^backend "onnx-cuda": ONNX Runtime could not create a session on the cuda execution provider \(.+\); the CUDA provider library is not installed: install it with ONNXRUNTIME_NODE_INSTALL=cuda12/,
    );
  });

  it('rejects an explicit onnx-webgpu where no WebGPU adapter loads, naming the backend and the provider', async () => {
    // Where a Vulkan-capable GPU is present the session may load; then it must be on webgpu, never a silent fallback.
    const outcome = await load({ backend: 'onnx-webgpu' }).catch((e: unknown) => e as Error);
    if (outcome instanceof Error) {
      expect(outcome.message).toMatch(/^backend "onnx-webgpu": ONNX Runtime could not create a session on the webgpu execution provider \(.+\)/);
    } else {
      console.log('onnx-webgpu loaded on this host');
      expect(outcome.backend).toBe('onnx-webgpu');
    }
  });

  it('runs a module whose cached graph failed its parity check on tfjs (wasm here) with onnx-cpu asked for, saying why', async () => {
    const failedSha = 'e'.repeat(64);
    const reason = 'probe 2 ("alpha beta gamma delta review product ba"): max |diff| 5.76e-3, cosine 0.9994990';
    const report: Partial<GraphReport> = {
      builder: USE_LITE_BUILDER_VERSION,
      moduleSha256: failedSha,
      onnxSha256: '0'.repeat(64),
      onnxRuntime: ORT_VERSION,
      maxTokens: 128,
      dims: 512,
      parity: { passed: false, probes: 9, maxAbsDiff: 5.76e-3, minCosine: 0.999499, reason },
    };
    const failedCache = testModuleCache();
    await mkdir(path.join(failedCache, 'onnx'));
    await writeFile(path.join(failedCache, 'onnx', `${failedSha}-${USE_LITE_BUILDER_VERSION}.json`), JSON.stringify(report));

    const logger = recorder();
    const runner = await load({ backend: 'onnx-cpu', sha256: failedSha, cacheDir: failedCache }, logger);
    expect(runner.backend.startsWith(tfjsFallback)).toBe(true);
    expect(runner.note).toBe(`runs on tfjs: the ONNX graph failed its parity check against tfjs: ${reason}`);
    expect(runner.note).toContain('parity');
    expect(logger.logs.find((l) => l.level === 'warn')?.msg).toBe(`module runs on tfjs (${runner.backend}) instead of onnx-cpu: the ONNX graph failed its parity check against tfjs: ${reason}`);
    expect((await runner.run(['A man is playing a guitar.'])).length).toBe(512);
  });

  it('runs the string-input text model on tfjs under auto, noting why ONNX Runtime was skipped', async () => {
    const textDir = await mkdtemp(path.join(os.tmpdir(), 'semhub-text-model-'));
    await writeTextModel(textDir);
    const runner = await load({ dir: textDir, sha256: await hashModuleDir(textDir), inputKind: 'text', backend: 'auto', cacheDir: testModuleCache() });
    expect(TFJS_BACKENDS).toContain(runner.backend);
    expect(runner.dims).toBe(4);
    expect(runner.note).toMatch(/^auto skipped /);
    expect(runner.note).toMatch(/onnx: semhub builds ONNX graphs only for USE-style SentencePiece modules; this one takes raw strings/);
    // The refusal is named once, not once per ONNX backend tried.
    expect(runner.note!.split('semhub builds ONNX graphs').length).toBe(2);
  });

  describe('a module in ONNX form (model.onnx + vocab.json)', () => {
    let onnxDir: string;
    let onnxSha: string;

    beforeAll(async () => {
      onnxDir = await writeOnnxModule(await mkdtemp(path.join(os.tmpdir(), 'semhub-onnx-module-')));
      onnxSha = await hashModuleDir(onnxDir);
    });

    it('is refused on a tfjs backend with an error saying where it runs', async () => {
      await expect(load({ dir: onnxDir, sha256: onnxSha, inputKind: 'dense-sentencepiece', backend: 'wasm' })).rejects.toThrow(
        `module in ${onnxDir} is an ONNX module (model.onnx): it runs on onnx-cpu, onnx-cuda or onnx-webgpu, not on wasm`,
      );
    });

    it.skipIf(cuda)(`runs on onnx-cpu under auto, with the vectors of the graph built from the bundled module${ifNoCuda}`, async () => {
      const runner = await load({ dir: onnxDir, sha256: onnxSha, inputKind: 'dense-sentencepiece', backend: 'auto' });
      expect(runner.backend).toBe('onnx-cpu');
      expect(runner.note).toMatch(/onnx-cuda: the CUDA provider library is not installed/);
      const built = await load({ backend: 'onnx-cpu' });
      expect(await runner.run(SENTENCES)).toEqual(await built.run(SENTENCES));
    });
  });

  it.skipIf(cuda)(`shows the backend and its note in the encoder's ModuleInfo (loadEncoder, auto)${ifNoCuda}`, async () => {
    const encoder = await loadUseLite({ backend: 'auto', cacheDir, sha256 });
    try {
      expect(encoder.info).toMatchObject({ name: 'use-lite', dims: 512, backend: 'onnx-cpu', inputKind: 'sparse-sentencepiece' });
      expect(encoder.info.backendNote).toMatch(/^auto skipped onnx-cuda: the CUDA provider library is not installed/);
      const [v] = await encoder.embed(['A man is playing a guitar.']);
      expect(v).toHaveLength(512);
    } finally {
      await encoder.close();
    }
  });
});
