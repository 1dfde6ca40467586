#!/usr/bin/env node
// The `semhub` command: runs src/cli/semhub.ts under tsx's loader (worker threads inherit it).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const loader = pathToFileURL(require.resolve('tsx')).href;
// Node flags of every semhub process (bin/node-flags.json, read by the bench and test servers too):
// a 64 MiB young generation. Each search request allocates its parsed vector and result rows, and
// with dozens in flight the default 16 MiB promotes them to the old generation, where collecting
// them took about a fifth of the server's main thread.
const NODE_FLAGS = JSON.parse(readFileSync(path.join(root, 'bin', 'node-flags.json'), 'utf8'));
const child = spawn(process.execPath, [...NODE_FLAGS, '--import', loader, path.join(root, 'src/cli/semhub.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)));
