#!/usr/bin/env node
// Compiles semhub's native addon, native/hnsw (its hnswlib binding: typed-array vectors, run-time
// SIMD distances; src/index/native-hnsw.ts loads it), with node-gyp into
// native/hnsw/build/Release/semhub_hnsw.node. bin/build.js runs it first, so `npm ci` (npm's
// prepare) and `npm run build` both make it; it needs python3, make and g++, as better-sqlite3's
// build does. It compiles against the Node headers installed beside the node binary when there
// are some (Debian's /usr/include/node, an official tarball's include/), so it works offline, and
// skips the build when the addon is newer than its sources.
//
//   node bin/build-native.js [--force]
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

export const NATIVE_DIR = path.join(root, 'native', 'hnsw');
const ADDON = path.join(NATIVE_DIR, 'build', 'Release', 'semhub_hnsw.node');
const SOURCES = ['binding.gyp', 'semhub_hnsw.cc'].map((f) => path.join(NATIVE_DIR, f));

/** node-gyp's CLI: the one npm runs scripts with, else the one bundled with npm, else a dependency's. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed as a package: the others
  }
  return candidates.find((c) => c && existsSync(c)) ?? null;
}

/** `--nodedir` for the headers installed beside this node binary, when npm did not name one. */
function nodeDirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? [`--nodedir=${prefix}`] : [];
}

/** Builds the addon unless it is newer than its sources (or `force`); throws with what went wrong. */
export function buildNative({ force = false } = {}) {
  if (!force && existsSync(ADDON)) {
    const built = statSync(ADDON).mtimeMs;
    if (SOURCES.every((s) => statSync(s).mtimeMs < built)) return;
  }
  const gyp = nodeGyp();
  if (!gyp) throw new Error('node-gyp not found (it comes with npm); install npm, or node-gyp, and run `npm run build:native`');
  const run = spawnSync(process.execPath, [gyp, 'rebuild', `--directory=${NATIVE_DIR}`, '--loglevel=warn', ...nodeDirArgs()], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`node-gyp failed (exit ${run.status}): the HNSW addon needs python3, make and g++`);
  if (!existsSync(ADDON)) throw new Error(`node-gyp ran but ${ADDON} is missing`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    buildNative({ force: process.argv.includes('--force') });
  } catch (e) {
    console.error(`semhub build:native: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
}
