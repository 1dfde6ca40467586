/**
 * Durable file helpers for index persistence: fsync, directory fsync, sha256 of a file, and
 * atomic replacement (temp file in the same directory + fsync + rename). The synchronous forms
 * run in the index worker; the async ones on the main thread.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';

const HASH_CHUNK = 1 << 20;

/** A temp path beside `path`, unique per process and thread, so rename stays on one filesystem. */
export function tempPathFor(path: string): string {
  const nonce = Math.random().toString(36).slice(2, 8);
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${threadId}-${nonce}`);
}

/** Flushes a file's data to disk. */
function fsyncFileSync(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a directory entry (the rename) to disk; a no-op where directories cannot be opened. */
function fsyncDirSync(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // some filesystems refuse fsync on directories; the rename itself is still atomic
  } finally {
    closeSync(fd);
  }
}

/** sha256 (hex) and byte length of a file, read in 1 MiB chunks. */
export function hashFileSync(path: string): { bytes: number; sha256: string } {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(HASH_CHUNK);
  const fd = openSync(path, 'r');
  let bytes = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, HASH_CHUNK, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      bytes += n;
    }
  } finally {
    closeSync(fd);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Moves a finished temp file over `path` durably (fsync file, rename, fsync directory). */
export function commitFileSync(tmp: string, path: string): void {
  try {
    fsyncFileSync(tmp);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDirSync(dirname(path));
}

/** Writes `data` to `path` atomically: temp file + fsync + rename + directory fsync. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  fsyncDirSync(dirname(path));
}
