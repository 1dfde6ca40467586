/** One CSV record (its fields) or why it could not be read, with the line it starts on (1-based). */
export interface CsvRow {
  line: number;
  fields?: string[];
  error?: string;
}

/** A quoted field may span at most this many lines before it counts as unterminated. */
const MAX_RECORD_LINES = 10_000;

/**
 * An RFC 4180 CSV reader fed one physical line at a time (as readline yields them): fields
 * separated by commas, a field may be quoted with `"`, a quote inside a quoted field is written
 * `""`, and a quoted field may hold commas and line breaks (kept as "\n"). A quote inside an
 * unquoted field, or text after a closing quote, makes the record an error. A quoted field still
 * open at the end of the input (or after {@link MAX_RECORD_LINES} lines) is reported at its first
 * line, and the lines it swallowed are read again as records of their own, so no line is lost.
 */
export class CsvParser {
  private lines: [string, number][] = [];
  private fields: string[] = [];
  private field = '';
  private quoted = false;
  private afterQuote = false;
  private fieldStarted = false;

  /** Feeds one line (without its line break); returns the records it completes. */
  feed(line: string, lineNo: number): CsvRow[] {
    this.lines.push([line, lineNo]);
    if (this.lines.length === 1 && line.length === 0) {
      this.lines = [];
      return []; // a blank line between records is no record
    }
    const error = this.scan(line);
    if (error) return [this.fail(error)];
    if (this.quoted) {
      if (this.lines.length < MAX_RECORD_LINES) {
        this.field += '\n';
        return [];
      }
      return this.reread('quoted field is not closed within ' + MAX_RECORD_LINES + ' lines');
    }
    this.fields.push(this.field);
    const row: CsvRow = { line: this.lines[0]![1], fields: this.fields };
    this.reset();
    return [row];
  }

  /** The end of the input: an open quoted field becomes an error and its swallowed lines are read again. */
  finish(): CsvRow[] {
    const rows: CsvRow[] = [];
    while (this.lines.length) rows.push(...this.reread('quoted field is never closed'));
    return rows;
  }

  private scan(line: string): string | null {
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (this.quoted) {
        if (ch !== '"') this.field += ch;
        else if (line[i + 1] === '"') (this.field += '"'), i++;
        else (this.quoted = false), (this.afterQuote = true);
      } else if (ch === ',') {
        this.fields.push(this.field);
        this.field = '';
        this.afterQuote = false;
        this.fieldStarted = false;
      } else if (this.afterQuote) {
        return `unexpected ${JSON.stringify(ch)} after a closing quote (column ${i + 1})`;
      } else if (ch === '"') {
        if (this.fieldStarted) return `quote inside an unquoted field (column ${i + 1}): quote the whole field and double inner quotes`;
        this.quoted = true;
        this.fieldStarted = true;
      } else {
        this.field += ch;
        this.fieldStarted = true;
      }
    }
    return null;
  }

  private fail(error: string): CsvRow {
    const row = { line: this.lines[0]![1], error };
    this.reset();
    return row;
  }

  /** Reports the open record at its first line, then reads the lines after it again. */
  private reread(error: string): CsvRow[] {
    const swallowed = this.lines.slice(1);
    const rows: CsvRow[] = [this.fail(`${error} (quote opened on line ${this.lines[0]![1]})`)];
    for (const [line, no] of swallowed) rows.push(...this.feed(line, no));
    return rows;
  }

  private reset(): void {
    this.lines = [];
    this.fields = [];
    this.field = '';
    this.quoted = false;
    this.afterQuote = false;
    this.fieldStarted = false;
  }
}
