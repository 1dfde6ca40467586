import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths.js';

/** The SDL: every schema/*.graphql file, in name order (common.graphql defines Query and Mutation). */
export function loadTypeDefs(): string {
  const dir = path.join(PROJECT_ROOT, 'schema');
  const files = readdirSync(dir).filter((f) => f.endsWith('.graphql')).sort((a, b) => (a === 'common.graphql' ? -1 : b === 'common.graphql' ? 1 : a.localeCompare(b)));
  return files.map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
}
