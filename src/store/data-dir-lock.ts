import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** The lock file in a data directory: an SQLite database whose exclusive lock the serving process holds. */
export const LOCK_FILE = 'semhub.lock';
/** Beside it, the holder's pid and start time, for the message another process gets. */
const HOLDER_FILE = 'semhub.lock.holder';

/** Held for the life of the process that serves a data directory. */
export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/** Thrown when another process holds the lock; `message` says which directory and, when known, which process. */
export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string, readonly holder: string | null) {
    super(
      `data directory ${dataDir} is already served by another semhub process${holder ? ` (${holder})` : ''}: ` +
        'one process per data directory (its index files are its own). Stop that process, or give this one another ' +
        'SEMHUB_DATA_DIR; several processes share one store through PostgreSQL (SEMHUB_DATABASE_URL), each with its own data directory',
    );
    this.name = 'DataDirLockedError';
  }
}

/**
 * Takes the data directory's lock, or throws DataDirLockedError at once when another process holds
 * it. The lock is SQLite's own file lock on `<dataDir>/semhub.lock` (an fcntl lock, held in
 * EXCLUSIVE locking mode from the first write until the connection closes): the operating system
 * drops it when the process ends in any way, kill -9 included, so a crash never leaves a stale lock
 * to clean up by hand. Works wherever SQLite locks files (not on network file systems that lack
 * POSIX locks).
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const dir = path.resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, started_at TEXT NOT NULL)');
    db.exec('DELETE FROM holder');
    db.prepare('INSERT INTO holder (pid, started_at) VALUES (?, ?)').run(process.pid, new Date().toISOString());
    db.exec('COMMIT');
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code === 'SQLITE_BUSY' || (e as { code?: string }).code === 'SQLITE_LOCKED') throw new DataDirLockedError(dir, readHolder(dir));
    throw e;
  }
  writeFileSync(path.join(dir, HOLDER_FILE), `pid ${process.pid}, started ${new Date().toISOString()}\n`);
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      rmSync(path.join(dir, HOLDER_FILE), { force: true });
      db.close();
    },
  };
}

function readHolder(dir: string): string | null {
  try {
    return readFileSync(path.join(dir, HOLDER_FILE), 'utf8').trim() || null;
  } catch {
    return null;
  }
}
