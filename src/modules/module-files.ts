import path from 'node:path';

/** `dir/rel` for a file a module's manifest names, refusing paths that leave the module directory (`../`, absolute). */
export function moduleFile(dir: string, rel: string): string {
  const root = path.resolve(dir);
  const full = path.resolve(root, rel);
  if (!full.startsWith(root + path.sep)) throw new Error(`weight path "${rel}" in model.json leaves the module directory`);
  return full;
}
