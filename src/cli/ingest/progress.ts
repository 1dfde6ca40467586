import type { ReadPosition } from './records.js';

/** Running totals of an ingest. */
export interface Counts {
  /** Records read (documents and unreadable lines). */
  read: number;
  /** Documents written (created or replaced). */
  written: number;
  /** Documents skipped because the server already holds them unchanged. */
  skipped: number;
  /** Lines that failed, here or on the server. */
  failed: number;
}

const duration = (s: number) => {
  if (!Number.isFinite(s) || s < 0) return '--:--';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const mm = String(Math.floor((t % 3600) / 60)).padStart(2, '0');
  const ss = String(t % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
};

/**
 * Progress on stderr: on a terminal a bar redrawn in place (share of the file read, documents
 * done, rate per second, ETA); otherwise a plain line every `intervalMs` (0: after every batch),
 * so logs of a piped or scheduled run show it too. ETA is from bytes read against file size.
 */
export class Progress {
  private readonly started = Date.now();
  private last = 0;
  private drawn = false;

  constructor(
    private readonly counts: Counts,
    private readonly position: ReadPosition,
    private readonly tty: boolean,
    private readonly intervalMs: number,
    private readonly out: NodeJS.WritableStream = process.stderr,
  ) {}

  /** Redraws (TTY, at most 10 times a second) or prints a line when the interval has passed. */
  update(force = false): void {
    const now = Date.now();
    const gap = this.tty ? 100 : this.intervalMs;
    if (!force && now - this.last < gap) return;
    this.last = now;
    if (this.tty) {
      this.out.write(`\r\x1b[K${this.bar()}`);
      this.drawn = true;
    } else {
      this.out.write(`ingest: ${this.summary()}\n`);
    }
  }

  /** Ends the bar's line (TTY). */
  done(): void {
    if (this.tty && this.drawn) this.out.write(`\r\x1b[K${this.bar()}\n`);
  }

  /** Seconds since the start. */
  elapsed(): number {
    return (Date.now() - this.started) / 1000;
  }

  private figures() {
    const c = this.counts;
    const done = c.written + c.skipped + c.failed;
    const seconds = Math.max(this.elapsed(), 1e-3);
    const share = this.position.totalBytes ? Math.min(1, this.position.bytesRead / this.position.totalBytes) : 0;
    const eta = share > 0 && share < 1 ? (seconds / share) * (1 - share) : share >= 1 ? 0 : NaN;
    return { done, rate: done / seconds, share, eta };
  }

  private summary(): string {
    const { done, rate, share, eta } = this.figures();
    const c = this.counts;
    return `${done} done (${c.written} written, ${c.skipped} unchanged, ${c.failed} failed), ${rate.toFixed(1)}/s, ${(share * 100).toFixed(0)}% read, ETA ${duration(eta)}`;
  }

  private bar(): string {
    const { done, rate, share, eta } = this.figures();
    const width = 24;
    const full = Math.round(share * width);
    const c = this.counts;
    return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${(share * 100).toFixed(0).padStart(3)}% ${done} docs ${rate.toFixed(0)}/s ETA ${duration(eta)}${c.failed ? ` (${c.failed} failed)` : ''}`;
  }
}
