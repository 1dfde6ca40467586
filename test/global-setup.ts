/**
 * vitest globalSetup: starts the PostgreSQL server for the run (test/support/postgres.ts) and
 * provides `inject('postgres')` = { url, reason } to test files; stops it at teardown.
 *
 * It also gives the run one module cache (SEMHUB_MODULE_CACHE, inherited by the test files and
 * the servers they start) holding the bundled USE-lite's ONNX graph, built and checked once here
 * as a first start does, so that each test server starts as a restarted server would instead of
 * rebuilding it. Tests of the first build use module caches of their own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { prepareOnnxGraph } from '../src/modules/runtimes/onnx/prepare.js';
import { hashModuleDir } from '../src/modules/sources/hash.js';
import { bundledUseLiteDir } from '../src/modules/use-lite.js';
import { startPostgres } from './support/postgres.js';

/** Runs once before all test files; the returned function runs once after them. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cacheDir = process.env.SEMHUB_MODULE_CACHE ?? (await mkdtemp(path.join(os.tmpdir(), 'semhub-test-module-cache-')));
  const owned = process.env.SEMHUB_MODULE_CACHE === undefined;
  process.env.SEMHUB_MODULE_CACHE = cacheDir;
  const dir = bundledUseLiteDir();
  const [server, graph] = await Promise.all([
    startPostgres(),
    hashModuleDir(dir).then((sha256) => prepareOnnxGraph({ dir, sha256, inputKind: 'sparse-sentencepiece', cacheDir })),
  ]);
  if (graph.kind !== 'ready') throw new Error(`the bundled USE-lite has no ONNX graph: ${graph.reason}`);
  project.provide('postgres', server.info);
  return async () => {
    await server.stop();
    if (owned) await rm(cacheDir, { recursive: true, force: true });
  };
}
