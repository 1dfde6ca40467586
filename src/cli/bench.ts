import { flag, type Args } from './args.js';

type BenchFn = (opts: { json: boolean }) => Promise<unknown>;

/** Benchmarks by name; each lives in bench/<name>.ts and compares against a named peer in the same run. */
const BENCHES: Record<string, () => Promise<BenchFn>> = {
  embed: async () => (await import('../../bench/embed.js')).benchEmbed,
  search: async () => (await import('../../bench/search.js')).benchSearch,
  cluster: async () => (await import('../../bench/cluster.js')).benchCluster,
};

/** `semhub bench <name> [--json]`: one JSON object per run on stdout with --json. */
export async function bench(args: Args): Promise<void> {
  const name = args.positionals[0] ?? flag(args, 'name');
  const load = name ? BENCHES[name] : undefined;
  if (!load) {
    console.error(`semhub bench: choose one of ${Object.keys(BENCHES).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const run = await load();
  await run({ json: args.flags.has('json') });
}
