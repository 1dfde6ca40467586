import { Counter, Gauge, type Registry } from 'prom-client';
import type { EmbedQueueStats } from '../modules/batching/embed-queue.js';
import type { Services } from '../services/services.js';
import type { CacheStats } from '../store/document-cache.js';

/** What the scrape-time collectors read: the module registry, the store's collections, the indexes. */
export type MetricSources = Pick<Services, 'modules' | 'store' | 'indexes'>;

/** Collections whose index figures one scrape reports at most. */
const MAX_COLLECTIONS = 1000;
/** The window sentences per second is averaged over. */
const RATE_WINDOW_MS = 60_000;

interface EncoderSnapshot {
  module: string;
  backend: string;
  stats: EmbedQueueStats | null;
}

interface IndexSnapshot {
  collection: string;
  vectors: number;
  tombstones: number;
}

/**
 * Shares one `load()` between the collectors of one scrape: prom-client calls every collect()
 * in one synchronous loop, so all of them join the call in flight; the next scrape loads afresh.
 */
function shared<T>(load: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | null = null;
  return () => (inFlight ??= load().finally(() => (inFlight = null)));
}

/** Sentences per second over the last minute, from the cumulative count sampled at each scrape. */
class RateMeter {
  private samples: { t: number; n: number }[] = [];

  rate(n: number, now = Date.now()): number {
    this.samples.push({ t: now, n });
    while (this.samples.length > 2 && now - this.samples[1]!.t >= RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    return now > first.t ? ((n - first.n) * 1000) / (now - first.t) : 0;
  }
}

/**
 * Registers the gauges and counters read at scrape time through prom-client `collect()`
 * callbacks: per module the embedding queue (waiting texts, in all and per priority lane, texts
 * in flight, batch sizes, sentences embedded and per second, cache hits) and the backend in use;
 * per collection the index's live vectors and tombstones, and per loaded index how far it is behind
 * the store (changes not applied yet, age of the oldest). Nothing here runs between scrapes.
 */
export function registerServiceCollectors(registry: Registry, sources: MetricSources): void {
  const encoders = shared(async (): Promise<EncoderSnapshot[]> =>
    sources.modules.list().map((info) => {
      const encoder = sources.modules.get(info.name) as { stats?: () => EmbedQueueStats };
      return { module: info.name, backend: info.backend, stats: typeof encoder.stats === 'function' ? encoder.stats() : null };
    }),
  );
  const indexes = shared(async (): Promise<IndexSnapshot[]> => {
    const out: IndexSnapshot[] = [];
    for (let after: number | undefined; out.length < MAX_COLLECTIONS; ) {
      const page = await sources.store.listCollections({ first: 100, afterKey: after });
      for (const c of page) {
        try {
          out.push({ collection: c.name, vectors: await sources.indexes.indexedCount(c), tombstones: await sources.indexes.deletedCount(c) });
        } catch {
          // an index that fails to open is logged by the index manager; the scrape goes on
        }
      }
      if (page.length < 100) break;
      after = page.at(-1)!.key;
    }
    return out;
  });
  // the indexes that serve (a module migration's shadow index is left out: its collection's gauges stay one series)
  const lag = shared(async () => (await sources.indexes.lag(MAX_COLLECTIONS)).filter((l) => l.serving));
  const rates = new Map<string, RateMeter>();

  const encoderGauge = (name: string, help: string, value: (s: EmbedQueueStats, module: string) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['module'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const e of await encoders()) if (e.stats) this.set({ module: e.module }, value(e.stats, e.module));
      },
    });
  const encoderCounter = (name: string, help: string, value: (s: EmbedQueueStats) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['module'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const e of await encoders()) if (e.stats) this.inc({ module: e.module }, value(e.stats));
      },
    });

  encoderGauge('semhub_embed_queue_waiting', 'Texts waiting in the embedding queue', (s) => s.waiting);
  encoderGauge('semhub_embed_in_flight', 'Texts in batches being embedded', (s) => s.inFlight);
  encoderGauge('semhub_embed_batch_size_max', 'Largest embedding batch so far (texts)', (s) => s.largestBatch);
  encoderGauge('semhub_embed_batch_size_mean', 'Mean embedding batch size so far (texts)', (s) => (s.batches ? s.embedded / s.batches : 0));
  encoderGauge('semhub_embed_sentences_per_second', 'Texts embedded per second over the last minute', (s, module) => {
    let meter = rates.get(module);
    if (!meter) rates.set(module, (meter = new RateMeter()));
    return meter.rate(s.embedded);
  });
  new Gauge({
    name: 'semhub_embed_queue_waiting_by_priority',
    help: 'Texts waiting in the embedding queue, per priority lane (interactive, bulk)',
    labelNames: ['module', 'priority'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const e of await encoders()) {
        if (!e.stats?.waitingByPriority) continue;
        for (const [priority, n] of Object.entries(e.stats.waitingByPriority)) this.set({ module: e.module, priority }, n);
      }
    },
  });
  encoderCounter('semhub_embed_sentences_total', 'Texts run through the encoder', (s) => s.embedded);
  encoderCounter('semhub_embed_batches_total', 'Batches run through the encoder', (s) => s.batches);
  encoderCounter('semhub_embed_cache_hits_total', 'Texts answered from the vector cache', (s) => s.cacheHits);

  new Gauge({
    name: 'semhub_encoder_backend',
    help: 'The backend each loaded module runs on (value 1): onnx-cuda, onnx-webgpu, onnx-cpu, or a tfjs fallback',
    labelNames: ['module', 'backend'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const e of await encoders()) this.set({ module: e.module, backend: e.backend }, 1);
    },
  });
  /** A gauge per collection over what `load` reads at scrape time. */
  const collectionGauge = <T extends { collection: string }>(load: () => Promise<T[]>, name: string, help: string, value: (s: T) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['collection'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await load()) this.set({ collection: s.collection }, value(s));
      },
    });
  const documentCache = () => (sources.store as Partial<{ documentCacheStats(): CacheStats }>).documentCacheStats?.() ?? null;
  for (const [name, help, pick] of [
    ['semhub_document_cache_hits_total', 'Search hit rows answered from the document cache', (c: CacheStats) => c.hits],
    ['semhub_document_cache_misses_total', 'Search hit rows read from the store', (c: CacheStats) => c.misses],
  ] as const) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const stats = documentCache();
        this.reset();
        if (stats) this.inc(pick(stats));
      },
    });
  }
  new Gauge({
    name: 'semhub_document_cache_rows',
    help: 'Document rows held by the document cache',
    registers: [registry],
    collect() {
      this.set(documentCache()?.size ?? 0);
    },
  });
  collectionGauge(indexes, 'semhub_index_vectors', 'Live vectors in each collection index', (s) => s.vectors);
  collectionGauge(indexes, 'semhub_index_tombstones', 'Deleted vectors still held (marked) in each collection index', (s) => s.tombstones);
  collectionGauge(lag, 'semhub_index_lag_changes', 'Documents changed in the store that each loaded collection index has not applied yet', (l) => l.behind);
  collectionGauge(lag, 'semhub_index_lag_seconds', 'Age of the oldest change each loaded collection index has not applied yet (0 when caught up)', (l) => l.oldestUnappliedMs / 1000);
}
