/** A worker for the thread host's tests: echoes, doubles buffers, throws, emits, crashes on request. */
import { workerData } from 'node:worker_threads';
import { emit, failStart, ready, serve, transferring } from '../../src/threads/serve.js';

export type EchoRequest =
  | { op: 'echo'; value: unknown }
  | { op: 'double'; data: Float64Array }
  | { op: 'throw'; name: string; message: string }
  | { op: 'count'; upTo: number }
  | { op: 'slow'; ms: number }
  | { op: 'crash' };

if ((workerData as { failStart?: boolean } | undefined)?.failStart) failStart(new Error('no model here'));

serve(async (req: EchoRequest) => {
  switch (req.op) {
    case 'echo':
      return req.value;
    case 'double': {
      const out = req.data.map((x) => 2 * x);
      return transferring({ out, receivedBytes: req.data.byteLength }, [out.buffer]);
    }
    case 'throw': {
      const e = new Error(req.message);
      e.name = req.name;
      throw e;
    }
    case 'count':
      for (let i = 1; i <= req.upTo; i++) emit({ i });
      return 'counted';
    case 'slow':
      await new Promise((resolve) => setTimeout(resolve, req.ms));
      return req.ms;
    case 'crash':
      setImmediate(() => {
        throw new Error('crash requested');
      });
      return new Promise(() => {});
  }
});
ready({ pid: process.pid });
