import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAmazonReviews } from '../../bench/datasets.js';
import { describeIfPresent, evalDataMissing } from '../support/requires.js';
import { gql, removeDir, startServerProcess, type ServerProcess } from '../support/server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const reviews = loadAmazonReviews();
// 30 real reviews across the four product types, first 150 characters each.
const docs = (reviews ?? [])
  .filter((_, i) => i % 97 === 0)
  .slice(0, 30)
  .map((r, i) => ({ id: `rev-${i}`, text: r.text.slice(0, 150), stars: r.rating, product: r.productType }));

let server: ServerProcess;
let dir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `semhub ingest …` as a real process; `onStderr` may kill it (returns true to kill -9). */
function ingest(args: string[], onStderr?: (all: string) => boolean): Promise<Run> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'src/cli/semhub.ts'), 'ingest', ...args, '--url', server.url], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }); // ipc: it stops when this process is gone
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (onStderr?.(stderr)) proc.kill('SIGKILL');
    });
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const summary = (r: Run) => JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { written: number; skipped: number; failed: number; read: number; errors: { line: number; code: string; message: string }[] };
const count = async (c: string) => (await gql(server.url, `query { collection(name: "${c}") { documentCount indexedCount } }`)).data.collection;
const nest = (depth: number): unknown => (depth === 0 ? 1 : { a: nest(depth - 1) });
const csvCell = (v: string | number) => (typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

describeIfPresent(evalDataMissing('amazon_multidomain', reviews), 'semhub ingest against a real server', () => {
  beforeAll(async () => {
    server = await startServerProcess();
    dir = mkdtempSync(path.join(os.tmpdir(), 'semhub-ingest-'));
  });

  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
    if (dir) removeDir(dir);
  });

  describe('JSONL', () => {
    // line numbers of the malformed lines, and the code each must be reported with
    const bad: [number, string, string][] = [];
    let file: string;

    beforeAll(() => {
      const lines = docs.map((d) => JSON.stringify(d));
      const insert = (at: number, line: string, code: string, why: string) => {
        lines.splice(at, 0, line);
        bad.push([at + 1, code, why]);
      };
      insert(3, '{"id": "broken", "text": ', 'BAD_USER_INPUT', 'not valid JSON');
      insert(7, '[1, 2, 3]', 'BAD_USER_INPUT', 'not a JSON object');
      insert(11, JSON.stringify({ id: 'no-text', stars: 3 }), 'BAD_USER_INPUT', 'text field "text" is missing');
      insert(15, JSON.stringify({ id: 'huge', text: 'word '.repeat(14_000) }), 'TOO_LARGE', 'SEMHUB_MAX_TEXT_BYTES');
      insert(19, JSON.stringify({ id: 'deep', text: 'Nested too deep.', meta: nest(40) }), 'BAD_USER_INPUT', 'deeper than 32');
      insert(23, JSON.stringify({ id: 'ctl\u0001id', text: 'An id with a control character.' }), 'BAD_USER_INPUT', 'control characters');
      lines.splice(27, 0, ''); // blank lines are no records
      file = path.join(dir, 'reviews.jsonl');
      writeFileSync(file, lines.join('\n') + '\n');
    });

    it('writes every good line and reports every bad one by line number and code, exiting 1', async () => {
      const r = await ingest(['reviews', file, '--create', '--batch', '8', '--json']);
      expect(r.code, r.stderr).toBe(1);
      const s = summary(r);
      expect(s).toMatchObject({ written: 30, skipped: 0, failed: 6 });
      expect(s.errors.map((e) => [e.line, e.code])).toEqual(bad.map(([line, code]) => [line, code]));
      s.errors.forEach((e, i) => expect(e.message).toContain(bad[i]![2]));
      for (const [line] of bad) expect(r.stderr).toMatch(new RegExp(`line ${line}: `));
      expect(await count('reviews')).toEqual({ documentCount: 30, indexedCount: 30 });
      const stored = await gql(server.url, 'query { documentsById(collection: "reviews", ids: ["rev-0", "rev-29"]) { id text metadata } }');
      expect(stored.data.documentsById[0]).toEqual({ id: 'rev-0', text: docs[0]!.text, metadata: { stars: docs[0]!.stars, product: docs[0]!.product } });
      expect(stored.data.documentsById[1].text).toBe(docs[29]!.text);
    });

    it('skips everything on a rerun', async () => {
      const r = await ingest(['reviews', file, '--batch', '8', '--json']);
      expect(r.code).toBe(1);
      expect(summary(r)).toMatchObject({ written: 0, skipped: 30, failed: 6 });
      expect(await count('reviews')).toEqual({ documentCount: 30, indexedCount: 30 });
    });

    it('refuses a missing collection without --create and says so', async () => {
      const r = await ingest(['nowhere', file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/collection "nowhere" does not exist: create it, or pass --create/);
    });
  });

  describe('CSV', () => {
    let file: string;
    const csvDocs = docs.map((d, i) => ({ ...d, text: i === 2 ? `She said "buy it",\nthen: ${d.text}` : i === 5 ? `${d.text}\r\nSecond paragraph, with a comma.` : d.text }));

    beforeAll(() => {
      const rows = ['id,text,stars,product', ...csvDocs.map((d) => [d.id, d.text, d.stars, d.product].map(csvCell).join(','))];
      rows.splice(4, 0, 'short-row,only two fields');
      rows.splice(9, 0, 'bad-quote,text with a "stray" quote,3,books');
      rows.push('"unterminated,this quote never closes,1,dvd');
      file = path.join(dir, 'reviews.csv');
      writeFileSync(file, rows.join('\r\n') + '\r\n');
    });

    it('reads RFC 4180 quoting with embedded quotes and line breaks, and reports malformed records', async () => {
      const r = await ingest(['csvreviews', file, '--create', '--json']);
      expect(r.code, r.stderr).toBe(1);
      const s = summary(r);
      expect(s).toMatchObject({ written: 30, skipped: 0, failed: 3 });
      expect(s.errors.map((e) => e.message)).toEqual([
        expect.stringContaining('has 2 fields; the header has 4'),
        expect.stringContaining('quote inside an unquoted field'),
        expect.stringContaining('quoted field is never closed'),
      ]);
      const stored = await gql(server.url, 'query { documentsById(collection: "csvreviews", ids: ["rev-2", "rev-5", "rev-7"]) { text metadata } }');
      expect(stored.data.documentsById[0].text).toBe(csvDocs[2]!.text);
      expect(stored.data.documentsById[1].text).toBe(csvDocs[5]!.text.replace('\r\n', '\n'));
      expect(stored.data.documentsById[2].metadata).toEqual({ stars: csvDocs[7]!.stars, product: csvDocs[7]!.product });
    });

    it('skips everything on a rerun', async () => {
      const r = await ingest(['csvreviews', file, '--json']);
      expect(summary(r)).toMatchObject({ written: 0, skipped: 30, failed: 3 });
    });
  });

  it('resumes an interrupted run (kill -9) without rewriting what was stored', async () => {
    const file = path.join(dir, 'resume.jsonl');
    writeFileSync(file, docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
    const killed = await ingest(['resume', file, '--create', '--batch', '1', '--concurrency', '1', '--progress-interval', '0'], (err) => /ingest: ([5-9]|\d\d+) done/.test(err));
    expect(killed.code).toBeNull(); // killed by the signal
    const stored = (await count('resume')).documentCount as number;
    expect(stored).toBeGreaterThanOrEqual(5);
    expect(stored).toBeLessThan(30);
    const resumed = await ingest(['resume', file, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(summary(resumed)).toMatchObject({ written: 30 - stored, skipped: stored, failed: 0 });
    expect(await count('resume')).toEqual({ documentCount: 30, indexedCount: 30 });
  });
});
