/**
 * The index worker: hosts any number of indexes (one per collection) off the main thread and
 * answers the requests of protocol.ts one at a time, in arrival order (serve, src/threads/).
 * Between requests it advances compactions in short slices, so a compaction never holds up
 * searches for long. Started by worker-host.ts; never imported by the main thread.
 */
import { emit, serve, transferring } from '../threads/serve.js';
import { COMPACTION_SLICE_MS, NativeIndex } from './hnsw-native.js';
import type { LoadResult, Request, StatsEvent } from './protocol.js';

const indexes = new Map<number, NativeIndex>();
let stepScheduled = false;

function get(handle: number): NativeIndex {
  const index = indexes.get(handle);
  if (!index) throw new Error(`index ${handle} is not open in the worker`);
  return index;
}

/** Runs one request; a result with buffers moves them back. */
function handle(req: Exclude<Request, { op: 'crash' }>): unknown {
  switch (req.op) {
    case 'create': {
      const index = NativeIndex.create(req.params);
      indexes.set(req.index, index);
      return index.stats();
    }
    case 'load': {
      const loaded = NativeIndex.load(req.params, req.path, req.expect);
      const index = typeof loaded === 'string' ? NativeIndex.create(req.params) : loaded;
      indexes.set(req.index, index);
      const stats = index.stats();
      const result: LoadResult = typeof loaded === 'string' ? { loaded: false, reason: loaded, stats } : { loaded: true, stats };
      return result;
    }
    case 'upsert':
      get(req.index).upsert(req.keys, req.data);
      return get(req.index).stats();
    case 'remove':
      get(req.index).remove(req.keys);
      return get(req.index).stats();
    case 'search': {
      const hits = get(req.index).search(req.data, req.groups);
      return transferring(hits, [hits.counts.buffer, hits.keys.buffer, hits.distances.buffer]);
    }
    case 'save':
      return get(req.index).save(req.path);
    case 'drop':
      indexes.delete(req.index);
      return null;
  }
}

/** Advances one compacting index by a slice, then yields to pending requests before the next. */
function scheduleStep(): void {
  if (stepScheduled) return;
  for (const [handle, index] of indexes) {
    if (!index.compacting) continue;
    stepScheduled = true;
    setImmediate(() => {
      stepScheduled = false;
      if (indexes.get(handle) === index && index.step(COMPACTION_SLICE_MS)) {
        emit<StatsEvent>({ index: handle, stats: index.stats() });
      }
      scheduleStep();
    });
    return;
  }
}

serve((req: Request) => {
  if (req.op === 'crash') {
    // test hook: an uncaught error ends the worker, as a native failure would; no reply
    setImmediate(() => {
      throw new Error('index worker crash requested');
    });
    return new Promise(() => {});
  }
  try {
    return handle(req);
  } finally {
    scheduleStep();
  }
});
