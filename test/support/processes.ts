/** Looking at processes a test started, by pid (Linux /proc where it helps). */
import { readFileSync } from 'node:fs';

/** True while `pid` runs (a zombie waiting to be reaped has stopped running). */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Milliseconds until `pid` no longer runs, or null when it still runs after `limitMs`. */
export async function goneWithin(pid: number, limitMs: number): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    if (!running(pid)) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}
