/**
 * The index worker: hosts any number of indexes (one per collection) off the main thread and
 * answers the requests of protocol.ts one at a time, in arrival order. Between requests it
 * advances compactions in short slices, so a compaction never holds up searches for long.
 * Started by worker-host.ts; never imported by the main thread.
 */
import { parentPort } from 'node:worker_threads';
import { COMPACTION_SLICE_MS, NativeIndex } from './hnsw-native.js';
import type { LoadResult, Reply, Request, StatsEvent } from './protocol.js';

if (!parentPort) throw new Error('hnsw-worker.ts must run as a worker thread');
const port = parentPort;

const indexes = new Map<number, NativeIndex>();
let stepScheduled = false;

function get(handle: number): NativeIndex {
  const index = indexes.get(handle);
  if (!index) throw new Error(`index ${handle} is not open in the worker`);
  return index;
}

/** Runs one request; returns its result and the buffers to transfer back. */
function handle(req: Exclude<Request, { op: 'crash' }>): { result: unknown; transfer: ArrayBuffer[] } {
  switch (req.op) {
    case 'create': {
      const index = NativeIndex.create(req.params);
      indexes.set(req.index, index);
      return { result: index.stats(), transfer: [] };
    }
    case 'load': {
      const loaded = NativeIndex.load(req.params, req.path, req.expect);
      const index = typeof loaded === 'string' ? NativeIndex.create(req.params) : loaded;
      indexes.set(req.index, index);
      const stats = index.stats();
      const result: LoadResult = typeof loaded === 'string' ? { loaded: false, reason: loaded, stats } : { loaded: true, stats };
      return { result, transfer: [] };
    }
    case 'upsert':
      get(req.index).upsert(req.keys, req.data);
      return { result: get(req.index).stats(), transfer: [] };
    case 'remove':
      get(req.index).remove(req.keys);
      return { result: get(req.index).stats(), transfer: [] };
    case 'search': {
      const hits = get(req.index).search(req.data, req.groups);
      return { result: hits, transfer: [hits.counts.buffer, hits.keys.buffer, hits.distances.buffer] as ArrayBuffer[] };
    }
    case 'save':
      return { result: get(req.index).save(req.path), transfer: [] };
    case 'drop':
      indexes.delete(req.index);
      return { result: null, transfer: [] };
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
        const event: StatsEvent = { event: 'stats', index: handle, stats: index.stats() };
        port.postMessage(event);
      }
      scheduleStep();
    });
    return;
  }
}

port.on('message', (req: Request) => {
  // test hook: an uncaught error ends the worker, as a native failure would
  if (req.op === 'crash') throw new Error('index worker crash requested');
  let reply: Reply;
  let transfer: ArrayBuffer[] = [];
  try {
    const done = handle(req);
    reply = { id: req.id, ok: true, result: done.result };
    transfer = done.transfer;
  } catch (e) {
    reply = { id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply, transfer);
  scheduleStep();
});
