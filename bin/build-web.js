#!/usr/bin/env node
// Bundles the web pages from web/ into dist/web/ with esbuild: the review console (served at `/`),
// GraphiQL (served at GET /graphql) and the three monaco editor workers GraphiQL starts. Everything
// the pages load comes from this folder (no CDN); src/graphql/web-assets.ts serves it under
// /assets/. bin/build.js runs it after compiling src/, so `npm ci` and `npm run build` both make it.
//
//   node bin/build-web.js [--out dir]
import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Browsers the bundles are written for: those with ES2022 and module workers' classic fallback. */
const TARGET = ['chrome111', 'firefox113', 'safari16.4'];

/** The monaco workers GraphiQL asks for by label (web/graphiql/workers.ts names the same files). */
const WORKERS = {
  'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
  'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
  'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
};

/** Builds every bundle into `outdir` (emptied first) and returns esbuild's metafile outputs. */
export async function buildWeb(outdir = path.join(root, 'dist', 'web')) {
  rmSync(outdir, { recursive: true, force: true });
  const common = {
    bundle: true,
    minify: true,
    target: TARGET,
    outdir,
    absWorkingDir: root,
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'eof',
    logLevel: 'warning',
    metafile: true,
  };
  // The pages: ES modules sharing React and GraphQL in chunks; monaco's codicon font as a file.
  const pages = esbuild.build({
    ...common,
    entryPoints: { console: 'web/console/main.tsx', graphiql: 'web/graphiql/main.tsx' },
    format: 'esm',
    splitting: true,
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    publicPath: '/assets',
    loader: { '.ttf': 'file' },
    jsx: 'automatic',
  });
  // The workers: classic scripts (new Worker(url) without type: module works in every browser).
  const workers = esbuild.build({ ...common, entryPoints: WORKERS, format: 'iife' });
  const results = await Promise.all([pages, workers]);
  copyFileSync(path.join(root, 'web', 'shared', 'favicon.svg'), path.join(outdir, 'favicon.svg'));
  return [...results.flatMap((r) => Object.keys(r.metafile.outputs)), 'favicon.svg'];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const outdir = at > 0 ? path.resolve(process.argv[at + 1]) : undefined;
  const started = Date.now();
  const outputs = await buildWeb(outdir);
  console.error(`semhub build: web pages bundled (${outputs.length} files) in ${Date.now() - started} ms`);
}
