import { createHash } from 'node:crypto';
import { AppError } from '../../errors.js';
import type { BatchExecutor } from '../executors/batch-executor.js';
import type { InputAdapter, PreparedText } from '../text/input-adapter.js';
import { bucketOf, rowsFor } from './length-buckets.js';
import { LruCache } from '../../lru-cache.js';
import type { EmbedOptions } from '../types.js';

/** Tuning of an {@link EmbedQueue}; the defaults come from Config (SEMHUB_EMBED_*). */
export interface EmbedQueueOptions {
  executor: BatchExecutor;
  adapter: InputAdapter;
  /** Most rows in one batch (SEMHUB_EMBED_BATCH). */
  maxBatch: number;
  /** Most padded tokens (rows × longest row) in one batch; see length-buckets.ts rowsFor. */
  tokenBudget: number;
  /** Most texts waiting for a batch before embed() fails with OVERLOADED (SEMHUB_EMBED_QUEUE_MAX). */
  queueMax: number;
  /** Vectors kept by content hash; 0 disables the cache. */
  cacheSize: number;
}

/** Counters since start (or the last clearCache for the cache ones). */
export interface EmbedQueueStats {
  batches: number;
  /** Rows sent to the model. */
  embedded: number;
  /** Texts answered from the cache. */
  cacheHits: number;
  /** Texts that joined an identical text already waiting or running. */
  deduped: number;
  /** Largest batch run so far. */
  largestBatch: number;
  waiting: number;
  inFlight: number;
}

interface Job {
  key: string;
  row: PreparedText;
  seq: number;
  promise: Promise<Float32Array>;
  resolve(v: Float32Array): void;
  reject(e: unknown): void;
}

/** sha256 of a text, the cache and dedupe key. */
export const contentKey = (text: string): string => createHash('sha256').update(text).digest('base64');

/**
 * The embedding queue of one encoder. Concurrent embed() calls are merged: each unseen text becomes
 * a job (identical texts share one; cached ones cost nothing), jobs wait in length buckets, and
 * whenever the executor has a free slot the bucket holding the oldest job is cut into a batch,
 * topped up from the nearest buckets, within `tokenBudget` padded tokens and `maxBatch` rows.
 * Bounded: more than `queueMax` waiting texts is AppError OVERLOADED, nothing is enqueued.
 * Reference: TF Serving's batching scheduler (batch by size, pad within buckets).
 */
export class EmbedQueue {
  private readonly cache: LruCache<string, Float32Array>;
  private readonly live = new Map<string, Job>();
  private readonly buckets = new Map<number, Job[]>();
  private waiting = 0;
  private inFlight = 0;
  private seq = 0;
  private scheduled = false;
  private closed = false;
  private readonly counters = { batches: 0, embedded: 0, cacheHits: 0, deduped: 0, largestBatch: 0 };

  constructor(private readonly opts: EmbedQueueOptions) {
    this.cache = new LruCache(opts.cacheSize);
  }

  /** Vectors for `texts` in input order; each caller gets its own copies. */
  async embed(texts: readonly string[], _opts?: EmbedOptions): Promise<Float32Array[]> {
    if (this.closed) throw new Error('encoder is closed');
    const keys = texts.map(contentKey);
    const out: Array<Float32Array | Promise<Float32Array>> = new Array(texts.length);
    const fresh = new Map<string, number>();
    for (let i = 0; i < texts.length; i++) {
      const key = keys[i]!;
      const hit = this.cache.get(key);
      if (hit) {
        this.counters.cacheHits++;
        out[i] = hit.slice();
      } else if (this.live.has(key) || fresh.has(key)) this.counters.deduped++;
      else fresh.set(key, i);
    }
    if (this.waiting + fresh.size > this.opts.queueMax) {
      throw new AppError(
        'OVERLOADED',
        `embedding queue is full: ${this.waiting} texts are waiting and this request adds ${fresh.size} (limit ${this.opts.queueMax}); retry later or send fewer texts`,
        { waiting: this.waiting, adding: fresh.size, limit: this.opts.queueMax },
      );
    }
    for (const [key, i] of fresh) this.enqueue(key, this.opts.adapter.prepare(texts[i]!));
    for (let i = 0; i < texts.length; i++) out[i] ??= this.live.get(keys[i]!)!.promise.then((v) => v.slice());
    this.schedule();
    return Promise.all(out);
  }

  stats(): EmbedQueueStats {
    return { ...this.counters, waiting: this.waiting, inFlight: this.inFlight };
  }

  /** Empties the vector cache (benchmarks, module swaps). */
  clearCache(): void {
    this.cache.clear();
    this.counters.cacheHits = 0;
  }

  /** Rejects waiting texts and refuses new ones; batches in flight finish. */
  close(): void {
    this.closed = true;
    for (const jobs of this.buckets.values()) for (const job of jobs) this.settle(job, new Error('encoder closed before this text was embedded'));
    this.buckets.clear();
    this.waiting = 0;
  }

  private enqueue(key: string, row: PreparedText): void {
    let resolve!: (v: Float32Array) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<Float32Array>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Callers may never look at a failed shared job's promise: keep that from being "unhandled".
    promise.catch(() => undefined);
    const job: Job = { key, row, seq: this.seq++, promise, resolve, reject };
    this.live.set(key, job);
    const b = bucketOf(row.length);
    const list = this.buckets.get(b);
    if (list) list.push(job);
    else this.buckets.set(b, [job]);
    this.waiting++;
  }

  /** Runs the pump after the current macrotask, so calls made together share batches. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.opts.executor.slots && this.waiting > 0) {
      const batch = this.takeBatch();
      this.inFlight++;
      this.counters.batches++;
      this.counters.embedded += batch.length;
      this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
      this.opts.executor
        .run(this.opts.adapter.pack(batch.map((j) => j.row)))
        .then(
          (flat) => {
            const dims = flat.length / batch.length;
            batch.forEach((job, i) => {
              const v = flat.slice(i * dims, (i + 1) * dims);
              this.cache.set(job.key, v);
              this.settle(job, null, v);
            });
          },
          (e: unknown) => batch.forEach((job) => this.settle(job, e)),
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }

  private settle(job: Job, error: unknown, v?: Float32Array): void {
    if (this.live.get(job.key) === job) this.live.delete(job.key);
    if (error) job.reject(error);
    else job.resolve(v!);
  }

  /**
   * Cuts the next batch: the bucket holding the oldest waiting job first, then the nearest
   * buckets by length, while rows × longest stays within the token budget.
   */
  private takeBatch(): Job[] {
    const keys = [...this.buckets.keys()].sort((a, b) => a - b);
    let start = 0;
    for (let k = 1; k < keys.length; k++) {
      if (this.buckets.get(keys[k]!)![0]!.seq < this.buckets.get(keys[start]!)![0]!.seq) start = k;
    }
    const batch: Job[] = [];
    let longest = 0;
    const fits = (job: Job) => {
      const l = Math.max(longest, job.row.length);
      return batch.length + 1 <= rowsFor(l, this.opts.tokenBudget, this.opts.maxBatch);
    };
    const drain = (k: number): boolean => {
      const list = this.buckets.get(keys[k]!)!;
      while (list.length && (batch.length === 0 || fits(list[0]!))) {
        const job = list.shift()!;
        longest = Math.max(longest, job.row.length);
        batch.push(job);
      }
      if (!list.length) this.buckets.delete(keys[k]!);
      return list.length === 0;
    };
    let lo = start - 1;
    let hi = start + 1;
    let open = drain(start);
    while (open && (lo >= 0 || hi < keys.length)) {
      // The nearer neighbour in length first; shorter rows add no padding to the rows already in.
      const takeLow = hi >= keys.length || (lo >= 0 && keys[start]! - keys[lo]! <= keys[hi]! - keys[start]!);
      open = drain(takeLow ? lo-- : hi++);
    }
    this.waiting -= batch.length;
    return batch;
  }
}
