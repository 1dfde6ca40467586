import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { goneWithin, running } from '../support/processes.js';
import { removeDir } from '../support/server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const HARNESS = pathToFileURL(path.join(ROOT, 'bench/server-process.ts')).href;

let harness: ChildProcess | undefined;
let serverPid: number | undefined;
let dataDir: string | undefined;

afterEach(() => {
  // whatever the outcome, leave nothing behind
  if (harness && harness.exitCode === null && harness.signalCode === null) harness.kill('SIGKILL');
  if (serverPid && running(serverPid)) process.kill(serverPid, 'SIGKILL');
  if (dataDir) removeDir(dataDir);
  harness = serverPid = dataDir = undefined;
});

describe('processes a bench or test starts', () => {
  it('a server stops by itself within seconds when the harness that started it is killed with SIGKILL', async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'semhub-parent-death-'));
    // A bench in miniature: starts a server through the harness, prints its pid, then waits.
    const code = `const { startServerProcess } = await import(${JSON.stringify(HARNESS)});
      const server = await startServerProcess({ dataDir: ${JSON.stringify(dataDir)} });
      process.stdout.write(JSON.stringify({ pid: server.proc.pid }) + '\\n');
      setInterval(() => {}, 1 << 30);`;
    harness = spawn(process.execPath, ['--import', TSX, '--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    harness.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise<void>((resolve, reject) => {
      harness!.stdout!.on('data', () => out.includes('\n') && resolve());
      harness!.once('exit', (c, s) => reject(new Error(`the harness exited (${c ?? s}) before its server listened`)));
    });
    serverPid = (JSON.parse(out.split('\n')[0]!) as { pid: number }).pid;
    expect(running(serverPid)).toBe(true);

    harness.kill('SIGKILL');
    await once(harness, 'exit');
    // no exit handler of the harness ran: the server stops itself as its IPC channel to the harness closes
    const ms = await goneWithin(serverPid, 5_000);
    expect(ms, 'the server was still running 5 s after its harness was killed').not.toBeNull();
  });
});
