import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** The compiled CLI that `semhub serve` runs for users (`npm run build` writes it). */
export const COMPILED_CLI = path.join(ROOT, 'dist/src/cli/semhub.js');
/** The node flags `semhub serve` runs with (bin/semhub.js reads the same file). */
const NODE_FLAGS = JSON.parse(readFileSync(path.join(ROOT, 'bin', 'node-flags.json'), 'utf8')) as string[];

export interface ServerProcess {
  url: string;
  base: string;
  dataDir: string;
  proc: ChildProcess;
  logs: string[];
  /** Graceful stop (SIGTERM) and wait; SIGKILL when it has not exited 15 s later. */
  stop(): Promise<void>;
  /** kill -9 and wait. */
  kill(): Promise<void>;
}

/** How long `stop()` waits after SIGTERM before SIGKILL (the server forces its own exit after 10 s). */
const STOP_GRACE_MS = 15_000;
/** How long a server may take to print its listening line. */
const START_TIMEOUT_MS = 120_000;

/**
 * Starts `semhub serve` as a real child process on a free port (one embedding worker unless `env`
 * says otherwise) and resolves once it listens. It runs src/ under tsx, or with `compiled` the
 * build in dist/ that users run (build it first). A server that fails to start or does not listen
 * within 120 s is killed (and its data folder removed when this call made it) before the promise
 * rejects. A server never outlives this process: it is killed when this process exits or is
 * stopped by SIGINT, SIGTERM or SIGHUP (see {@link trackServer}), and it stops by itself when this
 * process is gone some other way, SIGKILL included (its IPC channel to this process closes).
 */
export async function startServerProcess(opts: { dataDir?: string; env?: Record<string, string>; nodeArgs?: string[]; compiled?: boolean } = {}): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'semhub-e2e-'));
  const cli = opts.compiled ? [COMPILED_CLI] : ['--import', TSX, path.join(ROOT, 'src/cli/semhub.ts')];
  const proc = spawn(process.execPath, [...NODE_FLAGS, ...(opts.nodeArgs ?? []), ...cli, 'serve', '--port', '0', '--data', dataDir], {
    cwd: ROOT,
    env: serverEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  trackServer(proc);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const logs: string[] = [];
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start in ${START_TIMEOUT_MS / 1000} s:\n${logs.join('')}`)), START_TIMEOUT_MS);
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
      proc.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} before listening:\n${logs.join('')}`));
      });
    });
  } catch (e) {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
    if (!opts.dataDir) removeDir(dataDir);
    throw e;
  }
  return {
    url,
    base: url.replace(/\/graphql$/, ''),
    dataDir,
    proc,
    logs,
    stop: async () => {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
    kill: async () => {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** Servers started here that have not exited yet. */
const live = new Set<ChildProcess>();
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const killLive = () => {
  for (const p of live) p.kill('SIGKILL');
};

/** A stop signal while servers run: kill them, then let the signal do what it would have done. */
function onStopSignal(signal: NodeJS.Signals): void {
  killLive();
  unwatch();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function unwatch(): void {
  process.removeListener('exit', killLive);
  for (const s of STOP_SIGNALS) process.removeListener(s, onStopSignal);
}

/**
 * Keeps a started server from outliving this process: while any runs, this process's exit (normal,
 * process.exit, an uncaught error) and SIGINT/SIGTERM/SIGHUP kill it with SIGKILL. A SIGKILL of this
 * process runs none of that: then the server stops by itself, as its IPC channel to this process
 * closes (src/cli/stop-with-parent.ts).
 */
function trackServer(proc: ChildProcess): void {
  if (live.size === 0) {
    process.on('exit', killLive);
    for (const s of STOP_SIGNALS) process.on(s, onStopSignal);
  }
  live.add(proc);
  proc.once('exit', () => {
    live.delete(proc);
    if (live.size === 0) unwatch();
  });
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

/**
 * The server's /metrics: each series by its name with its labels as printed (`name{a="b"}`), and
 * each name alone for the sum over its label sets.
 */
export async function metricSums(base: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const sums = new Map<string, number>();
  for (const m of text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/gm)) {
    const value = Number(m[3]);
    sums.set(m[1]!, (sums.get(m[1]!) ?? 0) + value);
    if (m[2]) sums.set(m[1]! + m[2], value);
  }
  return sums;
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
