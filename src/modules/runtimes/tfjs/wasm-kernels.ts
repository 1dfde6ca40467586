import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's BackendWasm this file uses (pinned @tensorflow/tfjs-backend-wasm 4.22). */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

let patched = false;

/**
 * Replaces the wasm backend's SplitV kernel with one that copies straight between views of the
 * wasm heap. The stock kernel slices through `readSync`, which copies the whole input out of the
 * heap once per output: on USE-lite's [rows, len, 1536] q/k/v split that was ~18% of all kernel
 * time. Same values, bit for bit. Strings fall back to the stock kernel. Idempotent; call after
 * the wasm backend is active, in each thread.
 */
export function patchWasmKernels(): void {
  if (patched) return;
  const stock = tf.getKernel('SplitV', 'wasm');
  if (!stock) return;
  tf.unregisterKernel('SplitV', 'wasm');
  tf.registerKernel({
    kernelName: 'SplitV',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs['x'] as tf.TensorInfo;
      if (x.dtype === 'string') return stock.kernelFunc(args);
      const attrs = args.attrs as unknown as { numOrSizeSplits: number[] | number; axis: number | number[] };
      return splitFromHeap(x, attrs.numOrSizeSplits, attrs.axis, args.backend as unknown as WasmHeapBackend);
    },
  });
  patched = true;
}

function splitFromHeap(x: tf.TensorInfo, numOrSizeSplits: number[] | number, axisAttr: number | number[], backend: WasmHeapBackend): tf.TensorInfo[] {
  const axis = tf.util.parseAxisParam(axisAttr, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x, numOrSizeSplits, axis);
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const rowStride = x.shape[axis]! * inner;
  const outs = sizes.map((s) => backend.makeOutput(x.shape.map((d, i) => (i === axis ? s : d)), x.dtype));
  // Views only after every allocation: a malloc may grow the heap and detach older views.
  const src = backend.typedArrayFromHeap(x);
  let begin = 0;
  outs.forEach((out, k) => {
    const dst = backend.typedArrayFromHeap(out);
    const width = sizes[k]! * inner;
    for (let r = 0; r < outer; r++) {
      const from = r * rowStride + begin * inner;
      dst.set(src.subarray(from, from + width), r * width);
    }
    begin += sizes[k]!;
  });
  return outs;
}
