import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { CsvParser } from './csv.js';

export type InputFormat = 'jsonl' | 'csv';

/** One input record as a plain object, or why its line could not be read. `line` is 1-based. */
export interface RecordItem {
  line: number;
  record?: Record<string, unknown>;
  error?: { code: string; message: string };
}

/** Where reading stands: bytes consumed of the file's size (for the progress bar's ETA). */
export interface ReadPosition {
  bytesRead: number;
  totalBytes: number;
}

/** The format from the file name: .jsonl/.ndjson/.json are JSON lines, .csv is CSV; null otherwise. */
export function formatOf(file: string): InputFormat | null {
  if (/\.(jsonl|ndjson|json)$/i.test(file)) return 'jsonl';
  if (/\.csv$/i.test(file)) return 'csv';
  return null;
}

const bad = (line: number, message: string): RecordItem => ({ line, error: { code: 'BAD_USER_INPUT', message } });

/** JSON lines: one object per line; blank lines are skipped. */
function* jsonlRecords(line: string, no: number): Generator<RecordItem> {
  if (!line.trim()) return;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    yield bad(no, `line is not valid JSON: ${(e as Error).message}`);
    return;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    yield bad(no, `line holds ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}, not a JSON object`);
    return;
  }
  yield { line: no, record: value as Record<string, unknown> };
}

/** CSV: the first record names the columns; each later record becomes an object by column. */
class CsvRecords {
  private readonly parser = new CsvParser();
  private header: string[] | null = null;

  *feed(line: string, no: number): Generator<RecordItem> {
    for (const row of this.parser.feed(line, no)) yield* this.record(row.line, row.fields, row.error);
  }

  *finish(): Generator<RecordItem> {
    for (const row of this.parser.finish()) yield* this.record(row.line, row.fields, row.error);
  }

  private *record(no: number, fields: string[] | undefined, error: string | undefined): Generator<RecordItem> {
    if (error) return yield bad(no, `CSV: ${error}`);
    if (!this.header) {
      this.header = fields!.map((f) => f.trim());
      const dup = this.header.find((h, i) => h && this.header!.indexOf(h) !== i);
      if (dup) throw new Error(`CSV header (line ${no}) names the column "${dup}" twice`);
      return;
    }
    if (fields!.length !== this.header.length) {
      return yield bad(no, `CSV record has ${fields!.length} fields; the header has ${this.header.length}`);
    }
    const record: Record<string, unknown> = {};
    this.header.forEach((name, i) => name && Object.defineProperty(record, name, { value: fields![i], enumerable: true, writable: true, configurable: true }));
    yield { line: no, record };
  }
}

/**
 * Streams a JSONL or CSV file record by record with readline (RFC 4180 quoting for CSV, quoted
 * line breaks included), tagging each with its 1-based line number (a CSV record with the line it
 * starts on). Unreadable lines come out as errors, never dropped. `position` is kept up to date.
 */
export async function* readRecords(file: string, format: InputFormat, position: ReadPosition): AsyncGenerator<RecordItem> {
  position.totalBytes = statSync(file).size;
  position.bytesRead = 0;
  const stream = createReadStream(file);
  stream.on('data', (chunk) => (position.bytesRead += chunk.length));
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const csv = format === 'csv' ? new CsvRecords() : null;
  let no = 0;
  try {
    for await (const raw of lines) {
      const line = ++no === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      yield* csv ? csv.feed(line, no) : jsonlRecords(line, no);
    }
    if (csv) yield* csv.finish();
  } finally {
    lines.close();
    stream.destroy();
  }
}
