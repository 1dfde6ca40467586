/**
 * A throwaway PostgreSQL for tests and benches (test/support/postgres.ts re-exports this file, as
 * test/support/server.ts does server-process.ts). `startPostgres()` (run once by
 * test/global-setup.ts, and by `semhub bench replicas`) picks, in order:
 * 1. SEMHUB_TEST_DATABASE_URL, a server you run (its role needs CREATEDB);
 * 2. a throwaway cluster from the local binaries ($SEMHUB_PG_BIN, /usr/lib/postgresql/<v>/bin,
 *    or `pg_config --bindir`): initdb into a fresh dir under /tmp (as user `postgres` via
 *    `runuser` when we are root, since initdb refuses root), trust auth, 127.0.0.1 on a free port,
 *    unix socket inside the temp dir, fsync off; stopped and removed at teardown;
 * 3. nothing (no binaries, or SEMHUB_TEST_POSTGRES=0 to save the ~3 s start): `url` is null and
 *    `reason` says why; the PostgreSQL suites then skip, or fail when CI is set.
 * `createTestDatabase()` gives each test file its own fresh database on that server.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A server's admin URL (null when there is none), as global setup provides it to test files (`inject('postgres')`). */
export interface PostgresInfo {
  url: string | null;
  /** Where the server came from, or why there is none. */
  reason: string;
}

/** A running test server and how to stop it. */
export interface TestPostgres {
  info: PostgresInfo;
  stop(): Promise<void>;
}

/** Directory holding initdb/pg_ctl, or null when PostgreSQL is not installed. */
export function findPgBin(): string | null {
  const candidates: string[] = [];
  if (process.env.SEMHUB_PG_BIN) candidates.push(process.env.SEMHUB_PG_BIN);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debian, v, 'bin')));
  }
  const cfg = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (cfg.status === 0) candidates.push(cfg.stdout.trim());
  return candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'))) ?? null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function uidOf(user: string): Promise<{ uid: number; gid: number } | null> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return null;
  }
}

/**
 * pg_ctl runs postgres as a daemon, which nothing stops when this process is killed before its
 * teardown (SIGKILL, a timeout). So a detached watchdog holds an IPC channel to this process; when
 * the channel closes and the cluster's folder is still there, it runs `stop` and removes the folder.
 * After a teardown the folder is gone and it just exits.
 */
function stopWhenGone(base: string, stop: string[]): void {
  const code = `const { spawnSync } = require('node:child_process');
    const { existsSync, rmSync } = require('node:fs');
    const [base, stop] = [process.argv[1], JSON.parse(process.argv[2])];
    process.once('disconnect', () => {
      if (!existsSync(base)) return;
      spawnSync(stop[0], stop.slice(1), { cwd: base, stdio: 'ignore', timeout: 60000 });
      rmSync(base, { recursive: true, force: true });
    });`;
  const watchdog = spawn(process.execPath, ['-e', code, base, JSON.stringify(stop)], { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  // neither the process nor its channel keeps this one alive
  watchdog.unref();
  watchdog.channel?.unref();
}

/** Starts (or finds) the PostgreSQL server for this test run. Never throws: failures become `reason`. */
export async function startPostgres(): Promise<TestPostgres> {
  const none = (reason: string): TestPostgres => ({ info: { url: null, reason }, stop: async () => {} });
  if (process.env.SEMHUB_TEST_DATABASE_URL) {
    return { info: { url: process.env.SEMHUB_TEST_DATABASE_URL, reason: 'SEMHUB_TEST_DATABASE_URL' }, stop: async () => {} };
  }
  if (process.env.SEMHUB_TEST_POSTGRES === '0') return none('disabled by SEMHUB_TEST_POSTGRES=0');
  const bin = findPgBin();
  if (!bin) {
    return none('no PostgreSQL binaries (set SEMHUB_TEST_DATABASE_URL, SEMHUB_PG_BIN, or run scripts/postgres-install.sh)');
  }
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? await uidOf('postgres') : null;
  if (asRoot && !owner) return none('running as root and there is no "postgres" user to run initdb as');
  // Under /tmp: every parent is o+x, which the postgres user needs to reach the data dir.
  const base = await mkdtemp(path.join('/tmp', 'semhub-pg-'));
  const data = path.join(base, 'data');
  const socket = path.join(base, 'sock');
  await mkdir(socket);
  if (owner) {
    for (const p of [base, socket]) await chown(p, owner.uid, owner.gid);
  }
  // cwd: the postgres user may not be allowed into ours.
  const argv = (cmd: string, args: string[]) => (asRoot ? ['runuser', '-u', 'postgres', '--', path.join(bin, cmd), ...args] : [path.join(bin, cmd), ...args]);
  const as = (cmd: string, args: string[]) => {
    const [file, ...rest] = argv(cmd, args);
    return run(file!, rest, { cwd: base });
  };
  const pgCtl = (args: string[]) => as('pg_ctl', ['-D', data, ...args]);
  const logFile = path.join(base, 'server.log');
  try {
    await as('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${socket} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      try {
        await pgCtl(['-l', logFile, '-w', '-t', '60', '-o', opts, 'start']);
        stopWhenGone(base, argv('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']));
        const stop = async () => {
          await pgCtl(['-m', 'immediate', '-w', 'stop']).catch(() => {});
          await rm(base, { recursive: true, force: true });
        };
        return { info: { url: `postgres://postgres@127.0.0.1:${port}/postgres`, reason: `throwaway cluster from ${bin}` }, stop };
      } catch (e) {
        lastError = e; // most likely the port was taken in between: try another
      }
    }
    throw lastError;
  } catch (e) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
    await rm(base, { recursive: true, force: true });
    return none(`could not start PostgreSQL from ${bin}: ${(e as Error).message.slice(0, 500)}${log ? `\n${log}` : ''}`);
  }
}

/** A fresh database on the server at `adminUrl`, and a `drop()` that removes it. */
export async function createTestDatabase(adminUrl: string, prefix = 'semhub_test'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
