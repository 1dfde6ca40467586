/**
 * Tests that need something a host may lack: the shared evaluation data (../shared/data beside the
 * checkout, or SEMHUB_EVAL_DATA), or python3 with scikit-learn. Where it is there they run. Where
 * it is missing they FAIL under CI (CI set, as .ci/run does), so a CI run cannot pass without
 * running them; elsewhere they are skipped and the reason is printed.
 */
import { createRequire } from 'node:module';
import { describe, it, type TestFunction } from 'vitest';
import { evalDataDir } from '../../src/paths.js';

/** Whether this run is CI (CI set to anything but "" / "false" / "0"). */
export const underCi = !['', 'false', '0'].includes(process.env.CI ?? '');

/** The reason a data set is missing (null when `loaded` holds it), naming the folder looked in. */
export function evalDataMissing(what: string, loaded: unknown): string | null {
  if (loaded !== null && loaded !== undefined) return null;
  return `${what} is missing from the evaluation data at ${evalDataDir()} (../shared/data beside the checkout, or SEMHUB_EVAL_DATA)`;
}

const failing = (name: string, missing: string) =>
  it(name, () => {
    throw new Error(`${missing}: required when CI is set`);
  });

/** `describe(name, fn)` when `missing` is null; else one failing test under CI, a printed skip elsewhere. */
export function describeIfPresent(missing: string | null, name: string, fn: () => void): void {
  if (missing === null) describe(name, fn);
  else if (underCi) describe(name, () => failing('has what it needs', missing));
  else {
    console.warn(`[${name}] skipped: ${missing}`);
    describe.skip(`${name} (skipped: ${missing})`, fn);
  }
}

/** `it(name, fn)` when `missing` is null; else a failing test under CI, a printed skip elsewhere. */
export function itIfPresent(missing: string | null, name: string, fn: TestFunction, timeout?: number): void {
  if (missing === null) it(name, fn, timeout);
  else if (underCi) failing(name, missing);
  else {
    console.warn(`[${name}] skipped: ${missing}`);
    it.skip(`${name} (skipped: ${missing})`, fn);
  }
}

/** Whether an npm package is installed (an optional dependency such as @tensorflow/tfjs-node). */
export function packageInstalled(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}
