/** The store suite on SQLite (a fresh data folder per file), plus what only SQLite has: the file. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { repositoryTests } from './repository.suite.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'semhub-sqlite-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

repositoryTests('sqlite', () => openStore({ dataDir }));

describe('sqlite store file', () => {
  it('creates <dataDir>/semhub.db in a missing folder, in WAL mode', async () => {
    const nested = path.join(dataDir, 'a', 'b');
    const store = await openStore({ dataDir: nested });
    await store.close();
    const file = path.join(nested, 'semhub.db');
    expect(existsSync(file)).toBe(true);
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });

  it('says which file it could not open', async () => {
    const blocker = path.join(dataDir, 'not-a-dir');
    writeFileSync(blocker, 'a file where the data folder should be');
    await expect(openStore({ dataDir: blocker })).rejects.toThrow(/^store: cannot open SQLite database .*not-a-dir/);
  });
});
