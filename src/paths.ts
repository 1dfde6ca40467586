import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (the folder holding package.json and schema/), from source or compiled code alike. */
export const PROJECT_ROOT: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'schema'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('semhub: cannot find the project root (package.json + schema/)');
    dir = parent;
  }
  return dir;
})();

/** The shared evaluation data folder: SEMHUB_EVAL_DATA, else ../shared/data beside the repository. */
export function evalDataDir(): string {
  return process.env.SEMHUB_EVAL_DATA ?? path.resolve(PROJECT_ROOT, '..', 'shared', 'data');
}
