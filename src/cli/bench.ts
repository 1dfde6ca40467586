import { flag, type Args } from './args.js';

type BenchFn = (opts: { json: boolean; seconds?: number }) => Promise<unknown>;

/** Benchmarks by name; each lives in bench/<name>.ts and compares against a named peer in the same run. */
const BENCHES: Record<string, () => Promise<BenchFn>> = {
  embed: async () => (await import('../../bench/embed.js')).benchEmbed,
  search: async () => (await import('../../bench/search.js')).benchSearch,
  classify: async () => (await import('../../bench/classify.js')).benchClassify,
  cluster: async () => (await import('../../bench/cluster.js')).benchCluster,
  load: async () => (await import('../../bench/load.js')).benchLoad,
};

/** `semhub bench <name> [--json] [--seconds N]`: one JSON object per run on stdout with --json. */
export async function bench(args: Args): Promise<void> {
  const name = args.positionals[0] ?? flag(args, 'name');
  const load = name ? BENCHES[name] : undefined;
  if (!load) {
    console.error(`semhub bench: choose one of ${Object.keys(BENCHES).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const raw = flag(args, 'seconds');
  const seconds = raw === undefined ? undefined : Number(raw);
  if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0)) {
    console.error(`semhub bench: --seconds must be a positive number, got "${raw}"`);
    process.exitCode = 2;
    return;
  }
  const run = await load();
  await run({ json: args.flags.has('json'), seconds });
}
