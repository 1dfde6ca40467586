import { describe, expect, it } from 'vitest';
import { spawnSiblingWorker } from '../../src/threads/spawn.js';
import { WorkerEndedError, WorkerHost, type WorkerEnd } from '../../src/threads/worker-host.js';
import type { EchoRequest } from './echo-worker.js';

type Host = WorkerHost<EchoRequest, { i: number }, { pid: number }>;

function host(opts: { workerData?: unknown; events?: number[]; ends?: WorkerEnd[] } = {}): Host {
  const worker = spawnSiblingWorker(import.meta.url, 'echo-worker', { workerData: opts.workerData });
  return new WorkerHost(worker, {
    name: 'the echo worker',
    onEvent: (e) => opts.events?.push(e.i),
    onEnd: (end) => opts.ends?.push(end),
  });
}

describe('worker host', () => {
  it('answers calls in order, moves transferred buffers both ways, and passes events on', async () => {
    const events: number[] = [];
    const h = host({ events });
    expect(await h.ready()).toMatchObject({ pid: process.pid });
    const data = Float64Array.of(1, 2, 3);
    const doubled = h.call<{ out: Float64Array; receivedBytes: number }>({ op: 'double', data }, [data.buffer]);
    expect(data.byteLength).toBe(0); // moved to the worker, not copied
    const [echo, d, counted] = await Promise.all([h.call({ op: 'echo', value: { a: [1, 'x'] } }), doubled, h.call({ op: 'count', upTo: 3 })]);
    expect(echo).toEqual({ a: [1, 'x'] });
    expect(Array.from(d.out)).toEqual([2, 4, 6]);
    expect(d.receivedBytes).toBe(24);
    expect(counted).toBe('counted');
    expect(events).toEqual([1, 2, 3]);
    expect(h.pendingCalls).toBe(0);
    await h.terminate();
  });

  it('rejects a call with the error the handler threw, and keeps serving', async () => {
    const h = host();
    await expect(h.call({ op: 'throw', name: 'RangeError', message: 'k must be at least 2' })).rejects.toMatchObject({ name: 'RangeError', message: 'k must be at least 2' });
    expect(await h.call({ op: 'echo', value: 7 })).toBe(7);
    expect(h.alive).toBe(true);
    await h.terminate();
  });

  it('rejects pending and later calls when the worker crashes, and says so once', async () => {
    const ends: WorkerEnd[] = [];
    const h = host({ ends });
    const crash = expect(h.call({ op: 'crash' })).rejects.toBeInstanceOf(WorkerEndedError);
    const queued = expect(h.call({ op: 'echo', value: 'never answered' })).rejects.toThrow(/^the echo worker crashed: crash requested$/);
    await Promise.all([crash, queued]);
    await expect(h.call({ op: 'echo', value: 1 })).rejects.toThrow(/crashed: crash requested/);
    expect(h.alive).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ends).toEqual([{ how: 'error', cause: 'crash requested' }]);
  });

  it('rejects pending calls with the Error terminate is given (an abort), or with why it ended', async () => {
    const h = host();
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    const slow = expect(h.call({ op: 'slow', ms: 10_000 })).rejects.toBe(abort);
    await h.terminate(abort);
    await slow;
    const other = host();
    const pending = expect(other.call({ op: 'slow', ms: 10_000 })).rejects.toThrow(/^the echo worker was terminated$/);
    await other.terminate();
    await pending;
  });

  it('rejects ready() with the start failure the worker reported', async () => {
    const ends: WorkerEnd[] = [];
    const h = host({ workerData: { failStart: true }, ends });
    await expect(h.ready()).rejects.toThrow(/^no model here$/);
    expect(ends).toEqual([{ how: 'exit', cause: 'no model here', code: 1 }]);
  });
});
