/**
 * The entry of `semhub bench <name> [--json] [--seconds N] [--rounds N] [--workers N] [--budget T]
 * [--backend B]`: src/cli/bench.ts runs this file in a child process with the command's arguments
 * and stdio (src/ never imports bench/). One JSON object per run on stdout with --json. `--seconds`
 * is the duration of bench load, bench search and each search phase of bench replicas; rounds,
 * workers, budget and backend are bench embed's (semhub's side; the peer stays tfjs-wasm). Runs
 * directly too: `tsx bench/main.ts search --json`.
 */
import { parseArgs, flag, type Args } from '../src/cli/args.js';
import { BACKEND_PREFERENCES, ConfigError, type BackendPreference } from '../src/config.js';

/** Options every bench accepts; a bench ignores the ones it has no use for. */
interface BenchOptions {
  json: boolean;
  seconds?: number;
  rounds?: number;
  workers?: number;
  tokenBudget?: number;
  backend?: BackendPreference;
}
type BenchFn = (opts: BenchOptions) => Promise<unknown>;

/** Benchmarks by name; each lives in bench/<name>.ts and compares against a named peer in the same run. */
const BENCHES: Record<string, () => Promise<BenchFn>> = {
  embed: async () => (await import('./embed.js')).benchEmbed,
  search: async () => (await import('./search.js')).benchSearch,
  classify: async () => (await import('./classify.js')).benchClassify,
  cluster: async () => (await import('./cluster.js')).benchCluster,
  load: async () => (await import('./load.js')).benchLoad,
  replicas: async () => (await import('./replicas.js')).benchReplicas,
};

class UsageError extends Error {}

/** A numeric flag: undefined when absent, UsageError unless `ok` accepts it. */
function numberFlag(args: Args, name: string, what: string, ok: (n: number) => boolean): number | undefined {
  const raw = flag(args, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!ok(n)) throw new UsageError(`--${name} must be ${what}, got "${raw}"`);
  return n;
}

function options(args: Args): BenchOptions {
  const backend = flag(args, 'backend');
  if (backend !== undefined && !(BACKEND_PREFERENCES as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend must be one of ${BACKEND_PREFERENCES.join(', ')}, got "${backend}"`);
  }
  const positiveInt = (n: number) => Number.isInteger(n) && n > 0;
  return {
    json: args.flags.has('json'),
    seconds: numberFlag(args, 'seconds', 'a positive number', (n) => Number.isFinite(n) && n > 0),
    rounds: numberFlag(args, 'rounds', 'a positive integer', positiveInt),
    workers: numberFlag(args, 'workers', 'an integer from 0', (n) => Number.isInteger(n) && n >= 0),
    tokenBudget: numberFlag(args, 'budget', 'a positive integer', positiveInt),
    backend: backend as BackendPreference | undefined,
  };
}

/** Runs the bench `argv` names; usage mistakes print a line and set exit code 2. */
async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv, new Set(['json']));
  const name = args.positionals[0] ?? flag(args, 'name');
  const load = name ? BENCHES[name] : undefined;
  if (!load) {
    console.error(`semhub bench: choose one of ${Object.keys(BENCHES).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  let opts: BenchOptions;
  try {
    opts = options(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`semhub bench: ${e.message}`);
    process.exitCode = 2;
    return;
  }
  const run = await load();
  await run(opts);
}

// Started by `semhub bench` (an IPC channel to it): when that process goes away, even by SIGKILL,
// stop as a SIGTERM would, so the servers this bench started are stopped too. The channel itself
// must not keep this process alive.
if (process.send) {
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  process.channel?.unref();
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`semhub: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
