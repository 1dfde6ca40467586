#!/usr/bin/env node
// `npm run build` (and npm's `prepare`, which `npm ci` runs): builds the native addon
// (bin/build-native.js: native/hnsw, semhub's hnswlib binding), then compiles src/ to dist/ with
// tsconfig.build.json, after removing the previous dist/ so that no file of a renamed or deleted
// source is left behind, then bundles the web pages (web/: the console and GraphiQL) into
// dist/web/ with esbuild (bin/build-web.js). `semhub` (bin/semhub.js) runs dist/src/cli/semhub.js.
//
// With --prepare it first checks there is something to build with, and skips, saying why, when
// there is not: no src/ and no native/ (a Docker layer that installs dependencies before copying the sources; the
// Dockerfiles run `npm run build` after `COPY . .`) or no typescript (`npm ci --omit=dev`:
// typescript and esbuild are devDependencies; build in a stage that has them, then prune, as the
// Dockerfiles do).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

let tsc;
try {
  tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
} catch {
  tsc = null;
}

// The native addon first: the server needs it whatever else is built (npm ci --omit=dev too).
const { NATIVE_DIR, buildNative } = await import('./build-native.js');
if (existsSync(NATIVE_DIR)) {
  try {
    buildNative();
  } catch (e) {
    console.error(`semhub build: the native addon: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
} else if (!process.argv.includes('--prepare')) {
  console.error('semhub build: native/hnsw is missing');
  process.exit(1);
}

if (process.argv.includes('--prepare')) {
  const skip = !existsSync(path.join(root, 'src'))
    ? 'src/ is not here yet'
    : !tsc
      ? 'typescript is not installed (npm ci --omit=dev); run `npm run build` where it is, then prune'
      : null;
  if (skip) {
    console.error(`semhub prepare: dist/ not built: ${skip}`);
    process.exit(0);
  }
}
if (!tsc) {
  console.error('semhub build: typescript is not installed (it is a devDependency: npm ci without --omit=dev)');
  process.exit(1);
}

rmSync(path.join(root, 'dist'), { recursive: true, force: true });
const run = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (run.status !== 0) {
  // noEmitOnError: a failed build leaves no dist/, so nothing runs half-compiled code
  console.error('semhub build: tsc failed; dist/ was not written');
  process.exit(run.status ?? 1);
}

// The web pages: web/ bundled into dist/web/ (served at / and /graphql; esbuild, a devDependency
// like typescript, with its platform binary from the npm registry, so this works offline).
const { buildWeb } = await import('./build-web.js');
try {
  await buildWeb();
} catch (e) {
  console.error(`semhub build: bundling web/ failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
