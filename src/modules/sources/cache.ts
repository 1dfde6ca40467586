import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../errors.js';
import { downloadModule } from './download.js';
import { hashModuleDir } from './hash.js';
import type { UrlSource } from './trust.js';

/** Temp (`.tmp-*`) and quarantine (`.trash-*`) dirs older than this are swept before a download. */
const STALE_MS = 24 * 60 * 60 * 1000;
const ATTEMPTS = 3;
const inflight = new Map<string, Promise<string>>();

/**
 * The verified local copy of a URL module (either form, see downloadModule): `cacheDir/<sha256>`.
 * Layout and rules:
 * - the cache is content-addressed: the directory name is the pinned sha256;
 * - an existing copy is re-verified on every call by recomputing {@link hashModuleDir} (no
 *   marker file: a flipped byte or truncated shard is caught, at the cost of one read of the
 *   module); a copy that fails is moved aside, deleted and downloaded again (the cache heals);
 * - downloads go to a fresh `cacheDir/.tmp-*` directory, are verified against the pin, then
 *   renamed into place atomically; a resolver that loses the rename to another one discards
 *   its copy and uses the winner's (verified again);
 * - concurrent calls in this process for the same copy share one download.
 * MODULE_INTEGRITY (`expected sha256 X, got Y for <source>`) when the download does not match.
 */
export function cachedModule(url: UrlSource, sha256: string, cacheDir: string, trusted: readonly string[], source: string): Promise<string> {
  const root = path.resolve(cacheDir);
  const key = JSON.stringify([root, sha256, url.modelUrl.href, url.directory, trusted]);
  let pending = inflight.get(key);
  if (!pending) {
    pending = fillCache(url, sha256, root, trusted, source).finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  return pending;
}

async function fillCache(url: UrlSource, sha256: string, root: string, trusted: readonly string[], source: string): Promise<string> {
  const final = path.join(root, sha256);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const state = await checkCopy(final, sha256, root);
    if (state === 'ok') return final;
    if (state === 'replaced') continue;
    await mkdir(root, { recursive: true });
    await sweepStale(root);
    const tmp = await mkdtemp(path.join(root, `.tmp-${sha256.slice(0, 12)}-`));
    try {
      await downloadModule(url, tmp, trusted);
      const got = await hashModuleDir(tmp);
      if (got !== sha256) throw new AppError('MODULE_INTEGRITY', `expected sha256 ${sha256}, got ${got} for ${source}`, { expected: sha256, got });
      if (await renameIntoPlace(tmp, final)) return final;
      // Another resolver placed its copy first: the next turn verifies and uses it.
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  throw new AppError('MODULE_INTEGRITY', `the cached copy ${final} of ${source} kept changing while it was verified; retry`);
}

/** 'ok' when `final` holds the module; 'absent' when it does not (a bad copy is removed); 'replaced' when it changed meanwhile. */
async function checkCopy(final: string, sha256: string, root: string): Promise<'ok' | 'absent' | 'replaced'> {
  const before = await stat(final).catch(() => null);
  if (!before) return 'absent';
  try {
    if ((await hashModuleDir(final)) === sha256) return 'ok';
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
  }
  // Bad copy. Move it aside only if it is still the same directory: another resolver may have just
  // replaced it with a good one.
  const now = await stat(final).catch(() => null);
  if (!now) return 'absent';
  if (!sameEntry(before, now)) return 'replaced';
  const trash = path.join(root, `.trash-${randomBytes(6).toString('hex')}`);
  try {
    await rename(final, trash);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await rm(trash, { recursive: true, force: true });
  return 'absent';
}

const sameEntry = (a: Stats, b: Stats) => a.ino === b.ino && a.dev === b.dev && a.ctimeMs === b.ctimeMs && a.birthtimeMs === b.birthtimeMs;

/** Atomic rename; false when `final` already exists (someone else won the race). */
async function renameIntoPlace(tmp: string, final: string): Promise<boolean> {
  try {
    await rename(tmp, final);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EPERM') return false;
    throw e;
  }
}

/** Removes leftovers of crashed resolvers (old `.tmp-*` / `.trash-*` directories). */
async function sweepStale(root: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (!name.startsWith('.tmp-') && !name.startsWith('.trash-')) continue;
    const st = await stat(path.join(root, name)).catch(() => null);
    if (st && now - st.mtimeMs > STALE_MS) await rm(path.join(root, name), { recursive: true, force: true });
  }
}
