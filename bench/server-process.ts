import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** The node flags `semhub serve` runs with (bin/semhub.js reads the same file). */
const NODE_FLAGS = JSON.parse(readFileSync(path.join(ROOT, 'bin', 'node-flags.json'), 'utf8')) as string[];

export interface ServerProcess {
  url: string;
  base: string;
  dataDir: string;
  proc: ChildProcess;
  logs: string[];
  /** Graceful stop (SIGTERM) and wait. */
  stop(): Promise<void>;
  /** kill -9 and wait. */
  kill(): Promise<void>;
}

/** Starts `semhub serve` as a real child process on a free port (one embedding worker unless `env` says otherwise) and resolves once it listens. */
export async function startServerProcess(opts: { dataDir?: string; env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'semhub-e2e-'));
  const proc = spawn(process.execPath, [...NODE_FLAGS, ...(opts.nodeArgs ?? []), '--import', TSX, path.join(ROOT, 'src/cli/semhub.ts'), 'serve', '--port', '0', '--data', dataDir], {
    cwd: ROOT,
    env: serverEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 120 s:\n${logs.join('')}`)), 120_000);
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      logs.push(chunk.toString());
      const m = /semhub listening on (http:\S+)/.exec(buffered);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${logs.join('')}`));
    });
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    url,
    base: url.replace(/\/graphql$/, ''),
    dataDir,
    proc,
    logs,
    stop: async () => {
      proc.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * The server's environment: this process's, one embedding worker, info logs, then `extra`. A
 * NODE_ENV inherited from a test runner (vitest sets "test") is dropped, so the server runs as
 * `semhub serve` does for users (NODE_ENV=production unless set).
 */
function serverEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SEMHUB_EMBED_WORKERS: '1', SEMHUB_LOG_LEVEL: 'info', ...extra };
  if (extra.NODE_ENV === undefined) delete env.NODE_ENV;
  return env;
}

/** Resolves once the collection's index holds every document (asking every `pollMs`; a request that fails while the index builds is asked again). */
export async function waitIndexed(url: string, collection: string, pollMs = 1000): Promise<void> {
  for (;;) {
    const r = await gql(url, `query($c: String!) { collection(name: $c) { documentCount indexedCount } }`, { c: collection }).catch(() => null);
    const c = r?.data?.collection;
    if (c && c.documentCount === c.indexedCount) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface GqlResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown> }[];
}

/** Resident set size of a process in bytes (Linux /proc), or null where unavailable. */
export function rssOf(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** POSTs a GraphQL operation and returns status, data and errors. */
export async function gql<T = any>(url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: GqlResponse['errors'] };
  return { status: res.status, ...body };
}

/** The codes of a response's errors. */
export const codes = (r: GqlResponse) => (r.errors ?? []).map((e) => e.extensions?.code);
