#!/usr/bin/env node
// The `semhub` command: runs the compiled CLI, dist/src/cli/semhub.js (`npm run build`; `npm ci`
// builds it through the prepare script). `semhub bench` is compiled too, but the benches it runs
// live in bench/, which is not: it starts bench/main.ts under tsx (src/cli/bench.ts).
//
// The CLI runs in a child process with semhub's node flags (bin/node-flags.json), over an IPC
// channel: it stops when the channel closes (src/cli/stop-with-parent.ts), so even a SIGKILL of
// this wrapper leaves nothing running. SIGINT and SIGTERM are passed on to it.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Node flags of every semhub process (bin/node-flags.json, read by the bench and test servers too):
// a 64 MiB young generation. Each search request allocates its parsed vector and result rows, and
// with dozens in flight the default 16 MiB promotes them to the old generation, where collecting
// them took about a fifth of the server's main thread.
const NODE_FLAGS = JSON.parse(readFileSync(path.join(root, 'bin', 'node-flags.json'), 'utf8'));
const args = process.argv.slice(2);

/** A source file under `dir` changed after `since` (ms), or null. */
function newerSource(dir, since) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = newerSource(file, since);
      if (found) return found;
    } else if (entry.name.endsWith('.ts') && statSync(file).mtimeMs > since) return file;
  }
  return null;
}

/** The compiled CLI, after checking it is there and saying when src/ has changed since. */
function cliEntry() {
  const entry = path.join(root, 'dist/src/cli/semhub.js');
  if (!existsSync(entry)) {
    console.error('semhub: dist/ is not built: run `npm run build` (npm ci runs it; typescript is a devDependency)');
    process.exit(1);
  }
  const changed = existsSync(path.join(root, 'src')) ? newerSource(path.join(root, 'src'), statSync(entry).mtimeMs) : null;
  if (changed) console.error(`semhub: warning: ${path.relative(root, changed)} changed after dist/ was built: running the old build (npm run build)`);
  return entry;
}

const child = spawn(process.execPath, [...NODE_FLAGS, cliEntry(), ...args], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
const forward = (signal) => child.kill(signal);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, forward);
child.on('exit', (code, signal) => {
  if (!signal) process.exit(code ?? 1);
  // end the way the child did; without the forwarding handlers, the signal's default applies
  for (const s of ['SIGINT', 'SIGTERM']) process.removeListener(s, forward);
  process.kill(process.pid, signal);
});
