import { AppError } from '../../errors.js';
import type { BatchExecutor } from '../executors/batch-executor.js';
import type { InputAdapter, PreparedText } from '../text/input-adapter.js';
import { bucketOf, rowsFor } from './length-buckets.js';
import { LruCache } from '../../lru-cache.js';
import { sha256 } from '../../sha256.js';
import type { EmbedOptions, EmbedPriority } from '../types.js';

/** While both lanes wait, at least one batch in every BULK_EVERY is bulk (and at most one). */
export const BULK_EVERY = 4;

/** Tuning of an {@link EmbedQueue}; the defaults come from Config (SEMHUB_EMBED_*). */
export interface EmbedQueueOptions {
  executor: BatchExecutor;
  adapter: InputAdapter;
  /** Most rows in one batch (SEMHUB_EMBED_BATCH). */
  maxBatch: number;
  /** Most padded tokens (rows × longest row) in one batch; see length-buckets.ts rowsFor. */
  tokenBudget: number;
  /**
   * Most texts waiting for a batch in each priority lane before embed() fails with OVERLOADED
   * (SEMHUB_EMBED_QUEUE_MAX): a full bulk lane never refuses an interactive request, so at most
   * twice this many texts wait in all.
   */
  queueMax: number;
  /** Vectors kept by content hash; 0 disables the cache. */
  cacheSize: number;
  /** Bulk's share while both lanes wait: one batch in every `bulkEvery` (at least 2); default {@link BULK_EVERY}. */
  bulkEvery?: number;
}

/** Counters since start (or the last clearCache for the cache ones). */
export interface EmbedQueueStats {
  batches: number;
  /** Batches cut from the bulk lane (the rest came from the interactive one). */
  bulkBatches: number;
  /** Rows sent to the model. */
  embedded: number;
  /** Texts answered from the cache. */
  cacheHits: number;
  /** Texts that joined an identical text already waiting or running. */
  deduped: number;
  /** Texts waiting in the bulk lane that an interactive request moved to the interactive lane. */
  promoted: number;
  /** Largest batch run so far. */
  largestBatch: number;
  /** Texts waiting, both lanes together. */
  waiting: number;
  waitingByPriority: Record<EmbedPriority, number>;
  inFlight: number;
}

/** One priority's waiting texts, in length buckets; each bucket in arrival (seq) order. */
interface Lane {
  readonly priority: EmbedPriority;
  readonly buckets: Map<number, Job[]>;
  waiting: number;
}

interface Job {
  key: string;
  row: PreparedText;
  seq: number;
  /** The lane the job waits in; null once it is in a batch. */
  lane: Lane | null;
  promise: Promise<Float32Array>;
  resolve(v: Float32Array): void;
  reject(e: unknown): void;
}

const newLane = (priority: EmbedPriority): Lane => ({ priority, buckets: new Map(), waiting: 0 });

/**
 * The embedding queue of one encoder. Concurrent embed() calls are merged: each unseen text becomes
 * a job (identical texts share one; cached ones cost nothing), jobs wait in length buckets, and
 * whenever the executor has a free slot the bucket holding the oldest job is cut into a batch,
 * topped up from the nearest buckets, within `tokenBudget` padded tokens and `maxBatch` rows.
 *
 * Two lanes, each with its own buckets: `interactive` (the default: search, classify, similarity)
 * and `bulk` (upserts). The pump is strict priority with a guaranteed bulk share: interactive
 * batches go first, but after `bulkEvery - 1` interactive batches in a row while bulk waited, the
 * next batch is bulk. Counting batches (not tokens, as a deficit round robin would) is what bounds a
 * search's wait: a batch is already capped by `tokenBudget`, and at most one bulk batch is cut
 * ahead of a waiting interactive text, whatever the bulk backlog. Either lane gets
 * every slot when the other is empty. Batches never mix lanes: bulk rows topping up a small
 * interactive batch would make the search wait for them.
 * An interactive request for a text waiting in the bulk lane moves it to the interactive lane.
 *
 * Bounded per lane: more than `queueMax` texts waiting in the request's lane is AppError
 * OVERLOADED, nothing is enqueued; a full bulk lane does not refuse searches.
 * Reference: TF Serving's batching scheduler (batch by size, pad within buckets).
 */
export class EmbedQueue {
  private readonly cache: LruCache<string, Float32Array>;
  private readonly live = new Map<string, Job>();
  private readonly interactive = newLane('interactive');
  private readonly bulk = newLane('bulk');
  private readonly bulkEvery: number;
  /** Interactive batches cut in a row while bulk waited. */
  private interactiveRun = 0;
  private inFlight = 0;
  private seq = 0;
  private scheduled = false;
  private closed = false;
  private readonly counters = { batches: 0, bulkBatches: 0, embedded: 0, cacheHits: 0, deduped: 0, promoted: 0, largestBatch: 0 };

  constructor(private readonly opts: EmbedQueueOptions) {
    this.cache = new LruCache(opts.cacheSize);
    this.bulkEvery = Math.max(2, opts.bulkEvery ?? BULK_EVERY);
  }

  /** Vectors for `texts` in input order; each caller gets its own copies. */
  async embed(texts: readonly string[], opts?: EmbedOptions): Promise<Float32Array[]> {
    if (this.closed) throw new Error('encoder is closed');
    const lane = opts?.priority === 'bulk' ? this.bulk : this.interactive;
    const keys = texts.map((t) => sha256(t));
    const out: Array<Float32Array | Promise<Float32Array>> = new Array(texts.length);
    const fresh = new Map<string, number>();
    const promote = new Set<Job>();
    for (let i = 0; i < texts.length; i++) {
      const key = keys[i]!;
      const hit = this.cache.get(key);
      const job = this.live.get(key);
      if (hit) {
        this.counters.cacheHits++;
        out[i] = hit.slice();
      } else if (job || fresh.has(key)) {
        this.counters.deduped++;
        if (lane === this.interactive && job?.lane === this.bulk) promote.add(job);
      } else fresh.set(key, i);
    }
    const adding = fresh.size + promote.size;
    if (lane.waiting + adding > this.opts.queueMax) {
      throw new AppError(
        'OVERLOADED',
        `embedding queue is full for ${lane.priority} requests: ${lane.waiting} texts are waiting and this request adds ${adding} (limit ${this.opts.queueMax}); retry later or send fewer texts`,
        { priority: lane.priority, waiting: lane.waiting, adding, limit: this.opts.queueMax },
      );
    }
    for (const job of promote) this.moveTo(job, lane);
    this.counters.promoted += promote.size;
    for (const [key, i] of fresh) this.enqueue(key, this.opts.adapter.prepare(texts[i]!), lane);
    for (let i = 0; i < texts.length; i++) out[i] ??= this.live.get(keys[i]!)!.promise.then((v) => v.slice());
    this.schedule();
    return Promise.all(out);
  }

  stats(): EmbedQueueStats {
    return {
      ...this.counters,
      waiting: this.interactive.waiting + this.bulk.waiting,
      waitingByPriority: { interactive: this.interactive.waiting, bulk: this.bulk.waiting },
      inFlight: this.inFlight,
    };
  }

  /** Empties the vector cache (benchmarks, module swaps). */
  clearCache(): void {
    this.cache.clear();
    this.counters.cacheHits = 0;
  }

  /** Rejects waiting texts and refuses new ones; batches in flight finish. */
  close(): void {
    this.closed = true;
    for (const lane of [this.interactive, this.bulk]) {
      for (const jobs of lane.buckets.values()) for (const job of jobs) this.settle(job, new Error('encoder closed before this text was embedded'));
      lane.buckets.clear();
      lane.waiting = 0;
    }
  }

  private enqueue(key: string, row: PreparedText, lane: Lane): void {
    let resolve!: (v: Float32Array) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<Float32Array>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Callers may never look at a failed shared job's promise: keep that from being "unhandled".
    promise.catch(() => undefined);
    const job: Job = { key, row, seq: this.seq++, lane: null, promise, resolve, reject };
    this.live.set(key, job);
    this.push(job, lane);
  }

  private push(job: Job, lane: Lane): void {
    job.lane = lane;
    const b = bucketOf(job.row.length);
    const list = lane.buckets.get(b);
    if (list) list.push(job);
    else lane.buckets.set(b, [job]);
    lane.waiting++;
  }

  /** Moves a waiting job to `lane`, as the newest job there (buckets stay in seq order). */
  private moveTo(job: Job, lane: Lane): void {
    const from = job.lane!;
    const b = bucketOf(job.row.length);
    const list = from.buckets.get(b)!;
    list.splice(list.indexOf(job), 1);
    if (!list.length) from.buckets.delete(b);
    from.waiting--;
    job.seq = this.seq++;
    this.push(job, lane);
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

  /** The lane the next batch comes from: interactive first, bulk on its turn or when alone. */
  private nextLane(): Lane {
    if (this.bulk.waiting === 0) {
      this.interactiveRun = 0;
      return this.interactive;
    }
    if (this.interactive.waiting === 0 || this.interactiveRun >= this.bulkEvery - 1) {
      this.interactiveRun = 0;
      return this.bulk;
    }
    this.interactiveRun++;
    return this.interactive;
  }

  private pump(): void {
    while (this.inFlight < this.opts.executor.slots && this.interactive.waiting + this.bulk.waiting > 0) {
      const lane = this.nextLane();
      const batch = this.takeBatch(lane);
      this.inFlight++;
      this.counters.batches++;
      if (lane === this.bulk) this.counters.bulkBatches++;
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
    job.lane = null;
    if (this.live.get(job.key) === job) this.live.delete(job.key);
    if (error) job.reject(error);
    else job.resolve(v!);
  }

  /**
   * Cuts the next batch from `lane`: the bucket holding its oldest waiting job first, then the
   * nearest buckets by length, while rows × longest stays within the token budget.
   */
  private takeBatch(lane: Lane): Job[] {
    const buckets = lane.buckets;
    const keys = [...buckets.keys()].sort((a, b) => a - b);
    let start = 0;
    for (let k = 1; k < keys.length; k++) {
      if (buckets.get(keys[k]!)![0]!.seq < buckets.get(keys[start]!)![0]!.seq) start = k;
    }
    const batch: Job[] = [];
    let longest = 0;
    const fits = (job: Job) => {
      const l = Math.max(longest, job.row.length);
      return batch.length + 1 <= rowsFor(l, this.opts.tokenBudget, this.opts.maxBatch);
    };
    const drain = (k: number): boolean => {
      const list = buckets.get(keys[k]!)!;
      while (list.length && (batch.length === 0 || fits(list[0]!))) {
        const job = list.shift()!;
        job.lane = null;
        longest = Math.max(longest, job.row.length);
        batch.push(job);
      }
      if (!list.length) buckets.delete(keys[k]!);
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
    lane.waiting -= batch.length;
    return batch;
  }
}
