import { ConfigError } from '../config.js';
import { parseArgs } from './args.js';
import { INGEST_USAGE } from './ingest/ingest.js';
import { stopWithParent } from './stop-with-parent.js';

const USAGE = `semhub: semantic search, clustering and classification over GraphQL

Usage:
  semhub serve [--port 4000] [--data ./data] [--host 127.0.0.1]
  ${INGEST_USAGE.split('\n').join('\n  ')}
  semhub bench <embed|search|cluster|load> [--json] [--seconds N]

Configuration is read from SEMHUB_* environment variables (see docs/configuration.md).`;

async function main(argv: string[]): Promise<void> {
  // Started with an IPC channel (bin/semhub.js, the bench and test harness): stop when that parent
  // is gone, as on SIGTERM (serve closes gracefully, bench stops its servers).
  stopWithParent(() => {
    process.stderr.write('semhub: the process that started this one is gone: stopping\n');
    process.kill(process.pid, 'SIGTERM');
  });
  const [command, ...rest] = argv;
  const args = parseArgs(rest, new Set(['json', 'create']));
  switch (command) {
    // each command loads only what it needs: ingest is a plain HTTP client, no model or store
    case 'serve':
      // Before graphql-js loads: outside production it checks every instanceof across realms,
      // which is a third of a vector search's execution time (512 list items, several checks each).
      process.env.NODE_ENV ??= 'production';
      return (await import('./serve.js')).serve(args);
    case 'ingest':
      return (await import('./ingest/ingest.js')).ingest(args);
    case 'bench':
      return (await import('./bench.js')).bench(args);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return;
    default:
      console.error(`semhub: unknown command "${command}"\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`semhub: ${error.message}`);
  else console.error(`semhub: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
