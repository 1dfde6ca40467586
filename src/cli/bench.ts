import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../paths.js';
import type { Args } from './args.js';

/** Signals that stop `semhub bench` and are passed on to the bench it runs. */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The arguments again, in a form `parseArgs()` reads back to the same Args: positionals, then `--flag` / `--flag=value`. */
function toArgv(args: Args): string[] {
  const flags = [...args.flags].map(([name, value]) => (value === true ? `--${name}` : `--${name}=${value}`));
  return [...args.positionals, ...flags];
}

/**
 * `semhub bench <name> [--json] [--seconds N] [--rounds N] [--workers N] [--budget T] [--backend B]`:
 * runs bench/main.ts (which reads the options; see there) in a child Node process with the same
 * arguments, stdio and node flags, under tsx, and exits as it does. The benchmarks are not part of
 * the shipped code, so src/ never imports bench/. SIGINT, SIGTERM and SIGHUP are passed on; the
 * child also stops when this process is gone (its IPC channel closes).
 */
export async function bench(args: Args): Promise<void> {
  // Under tsx (a .ts file) this process's execArgv already loads tsx; compiled, the child needs it.
  const loader = import.meta.url.endsWith('.ts') ? [] : ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
  const entry = path.join(PROJECT_ROOT, 'bench', 'main.ts');
  const child = spawn(process.execPath, [...process.execArgv, ...loader, entry, ...toArgv(args)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of FORWARDED) process.on(signal, forward);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, s) => resolve([c, s]));
  }).finally(() => {
    for (const s of FORWARDED) process.off(s, forward);
  });
  // a bench stopped by a signal stops this process the same way
  if (signal) process.kill(process.pid, signal);
  else process.exitCode = code ?? 1;
}
