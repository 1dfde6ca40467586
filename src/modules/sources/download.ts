import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, badInput } from '../../errors.js';
import { MAX_MODEL_JSON_BYTES, MAX_MODULE_BYTES, MODEL_JSON, MODEL_ONNX, VOCAB_JSON, moduleTooLarge, parseShardPaths } from './manifest.js';
import { isTrusted, untrustedError, type UrlSource } from './trust.js';

/** A download is abandoned when no bytes (or no response headers) arrive for this long. */
const IDLE_TIMEOUT_MS = 30_000;
/** Files fetched at once. */
const PARALLEL = 4;
const MAX_REDIRECTS = 5;

interface Ctx {
  trusted: readonly string[];
  signal: AbortSignal;
  /** Bytes the module may still take. */
  budget: { left: number };
}

/**
 * Downloads the module `source` names into the existing empty directory `dir`:
 * - TF.js form: model.json (from `source.modelUrl`), every shard its weightsManifest names
 *   (resolved relative to it), and vocab.json when the server has one (404/410 means none);
 * - ONNX form, for a URL ending in `.onnx`, or a directory URL whose server has no model.json
 *   (404/410): model.onnx and vocab.json of that directory, both required.
 * Files are stored under their canonical names (model.json, model.onnx, vocab.json, the shard
 * paths). Every URL fetched must be covered by a `trusted` prefix, checked before it is fetched
 * (the files of an ONNX module both before either is), and redirects are followed only to trusted
 * URLs: MODULE_UNTRUSTED otherwise. Any failure aborts the other transfers and throws:
 * BAD_USER_INPUT naming the URL and HTTP status, TOO_LARGE past 2 GiB. The caller verifies the
 * hash and removes `dir` on failure.
 */
export async function downloadModule(source: UrlSource, dir: string, trusted: readonly string[]): Promise<void> {
  const abort = new AbortController();
  const ctx: Ctx = { trusted, signal: abort.signal, budget: { left: MAX_MODULE_BYTES } };
  const { modelUrl } = source;
  if (/\.onnx$/i.test(modelUrl.pathname)) return downloadOnnx(modelUrl, dir, ctx, false);
  const modelPath = path.join(dir, MODEL_JSON);
  if (!(await fetchToFile(modelUrl, modelPath, MODEL_JSON, ctx, source.directory))) {
    return downloadOnnx(new URL(MODEL_ONNX, modelUrl), dir, ctx, true);
  }
  const shards = parseShardPaths(await readFile(modelPath), modelUrl.href);
  const files = [...shards.map((rel) => ({ rel, optional: false })), { rel: VOCAB_JSON, optional: true }];
  checkTrusted(files.map((f) => new URL(f.rel, modelUrl)), ctx.trusted);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < files.length) {
      const { rel, optional } = files[next++]!;
      try {
        await fetchToFile(new URL(rel, modelUrl), path.join(dir, ...rel.split('/')), rel, ctx, optional);
      } catch (error) {
        failure ??= { error };
        abort.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, files.length) }, worker));
  if (failure) throw failure.error;
}

/**
 * model.onnx from `onnxUrl`, then vocab.json beside it. `probing`: the source named a directory
 * that has no model.json, so a missing model.onnx means the directory holds no module at all.
 */
async function downloadOnnx(onnxUrl: URL, dir: string, ctx: Ctx, probing: boolean): Promise<void> {
  const vocabUrl = new URL(VOCAB_JSON, onnxUrl);
  checkTrusted([onnxUrl, vocabUrl], ctx.trusted);
  if (!(await fetchToFile(onnxUrl, path.join(dir, MODEL_ONNX), MODEL_ONNX, ctx, probing))) {
    throw badInput(
      `${new URL('./', onnxUrl).href} holds no module: the server has neither ${MODEL_JSON} (a TF.js graph model) nor ` +
        `${MODEL_ONNX} (an ONNX module, with ${VOCAB_JSON}) there`,
    );
  }
  await fetchToFile(vocabUrl, path.join(dir, VOCAB_JSON), VOCAB_JSON, ctx, false);
}

/** MODULE_UNTRUSTED for the first of `urls` no trusted prefix covers: every file fetched must lie under one. */
function checkTrusted(urls: readonly URL[], trusted: readonly string[]): void {
  const outside = urls.find((u) => !isTrusted(u.href, trusted));
  if (outside) throw untrustedError(outside.href, { kind: 'url', modelUrl: outside, directory: false }, 'module file');
}

/** Streams `url` into a new file; false when `optional` and the server says 404/410. */
async function fetchToFile(url: URL, file: string, rel: string, ctx: Ctx, optional: boolean): Promise<boolean> {
  const watchdog = new AbortController();
  const onAbort = () => watchdog.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => watchdog.abort(badInput(`download of ${url.href} stalled: no data for ${IDLE_TIMEOUT_MS / 1000} s`)), IDLE_TIMEOUT_MS);
  };
  touch();
  try {
    const res = await fetchFollowingTrusted(url, ctx.trusted, watchdog.signal);
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      if (optional && (res.status === 404 || res.status === 410)) return false;
      const role = rel === MODEL_JSON || rel === MODEL_ONNX || rel === VOCAB_JSON ? rel : `weight shard "${rel}" named in ${MODEL_JSON}`;
      throw badInput(`downloading ${role} from ${url.href} failed: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    const limit = rel === MODEL_JSON ? MAX_MODEL_JSON_BYTES : MAX_MODULE_BYTES;
    const cap = Math.min(limit, ctx.budget.left);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > cap) throw moduleTooLarge(`${url.href} (${declared} bytes)`, limit);
    await mkdir(path.dirname(file), { recursive: true });
    const fh = await open(file, 'wx');
    let written = 0;
    try {
      for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
        touch();
        written += chunk.byteLength;
        ctx.budget.left -= chunk.byteLength;
        if (written > limit || ctx.budget.left < 0) throw moduleTooLarge(`downloading ${url.href}`, limit);
        await fh.write(chunk);
      }
    } finally {
      await fh.close();
    }
    return true;
  } catch (e) {
    // An abort surfaces as its reason: the stall message, or the sibling failure that stopped us.
    if (watchdog.signal.aborted) throw watchdog.signal.reason;
    if (e instanceof AppError) throw e;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw badInput(`could not download ${url.href}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
    // Releases the connection of a body we stopped reading (refused size, failed write).
    watchdog.abort();
  }
}

/** fetch with redirects followed by hand, each target checked against the trusted prefixes. */
async function fetchFollowingTrusted(url: URL, trusted: readonly string[], signal: AbortSignal): Promise<Response> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const res = await fetch(current, { redirect: 'manual', signal });
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || location === null) return res;
    await res.body?.cancel().catch(() => {});
    if (hop === MAX_REDIRECTS) throw badInput(`download of ${url.href} redirected more than ${MAX_REDIRECTS} times`);
    const target = new URL(location, current);
    if ((target.protocol !== 'http:' && target.protocol !== 'https:') || !isTrusted(target.href, trusted)) {
      throw untrustedError(target.href, { kind: 'url', modelUrl: target, directory: false }, `${url.href} redirects to`);
    }
    current = target;
  }
}
