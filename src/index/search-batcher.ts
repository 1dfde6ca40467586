/**
 * Coalesces concurrent search calls into one worker message: callers that arrive while a batch
 * is being answered wait for the next one, so the per-query cost of a round trip shrinks as load
 * grows and an idle index adds only one event-loop turn (setImmediate) of latency.
 */
import type { PackedHits, SearchGroup } from './protocol.js';
import type { IndexHit } from './types.js';

/** Batches a worker may hold at once: one searching while the next waits in its queue. */
const MAX_IN_FLIGHT = 2;
/** Stop adding callers to a batch past this many queries, to bound a batch's latency. */
const MAX_BATCH_QUERIES = 32;

interface Queued {
  queries: Float32Array[];
  group: Omit<SearchGroup, 'n'>;
  resolve: (hits: IndexHit[][]) => void;
  reject: (error: Error) => void;
}

/** Sends one packed batch (its `data` buffer is transferred) and returns the packed hits. */
export type SendBatch = (data: Float32Array, groups: SearchGroup[]) => Promise<PackedHits>;

/** Queues searches and sends them in batches through `send`. */
export class SearchBatcher {
  private queue: Queued[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly dims: number,
    private readonly send: SendBatch,
  ) {}

  /** Queues one caller's queries; resolves with its hits in query order. */
  search(queries: Float32Array[], group: Omit<SearchGroup, 'n'>): Promise<IndexHit[][]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ queries, group, resolve, reject });
      this.schedule();
    });
  }

  /** Sends everything queued now, regardless of the in-flight limit (used before closing). */
  drain(): void {
    while (this.queue.length) this.flush();
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || !this.queue.length) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (!this.queue.length) return;
    let take = 0;
    let total = 0;
    while (take < this.queue.length && (take === 0 || total < MAX_BATCH_QUERIES)) total += this.queue[take++]!.queries.length;
    const batch = this.queue.splice(0, take);
    // one contiguous buffer for all queries of the batch, moved (not copied) to the worker
    const data = new Float32Array(total * this.dims);
    let row = 0;
    for (const b of batch) for (const q of b.queries) data.set(q, this.dims * row++);
    const groups = batch.map((b) => ({ ...b.group, n: b.queries.length }));
    this.inFlight++;
    this.send(data, groups).then(
      (hits) => unpack(batch, hits),
      (e: Error) => batch.forEach((b) => b.reject(e)),
    ).finally(() => {
      this.inFlight--;
      this.schedule();
    });
  }
}

/** Splits packed hits back into each caller's IndexHit[][]. */
function unpack(batch: Queued[], hits: PackedHits): void {
  let q = 0;
  let at = 0;
  for (const b of batch) {
    const out: IndexHit[][] = [];
    for (let i = 0; i < b.queries.length; i++, q++) {
      const n = hits.counts[q]!;
      const row: IndexHit[] = new Array(n);
      for (let j = 0; j < n; j++) row[j] = { key: hits.keys[at + j]!, distance: hits.distances[at + j]! };
      at += n;
      out.push(row);
    }
    b.resolve(out);
  }
}
