import { BACKEND_PREFERENCES, type BackendPreference } from '../config.js';
import { flag, type Args } from './args.js';

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
  embed: async () => (await import('../../bench/embed.js')).benchEmbed,
  search: async () => (await import('../../bench/search.js')).benchSearch,
  classify: async () => (await import('../../bench/classify.js')).benchClassify,
  cluster: async () => (await import('../../bench/cluster.js')).benchCluster,
  load: async () => (await import('../../bench/load.js')).benchLoad,
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

/**
 * `semhub bench <name> [--json] [--seconds N] [--rounds N] [--workers N] [--budget T] [--backend B]`:
 * one JSON object per run on stdout with --json. `--seconds` is the duration of bench load and
 * bench search; rounds, workers, budget and backend are bench embed's (semhub's side; the peer
 * stays tfjs-wasm).
 */
export async function bench(args: Args): Promise<void> {
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
