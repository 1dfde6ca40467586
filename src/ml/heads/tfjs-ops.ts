/**
 * MatrixOps on the active tfjs backend: on 'wasm' that is XNNPACK's SIMD GEMM, about ten times
 * the plain-JavaScript products. The caller selects and readies the backend first. A fixed matrix
 * keeps X and an explicit Xᵀ resident (tfjs-wasm's transposed matMul takes a slow path), so a
 * product moves only the small operand in and the result out.
 */
import * as tf from '@tensorflow/tfjs';
import type { FixedMatrix, MatrixOps } from './ops.js';

/** Reads a 2-D result into a Float32Array the caller owns and frees the tensor. */
function take(t: tf.Tensor): Float32Array {
  try {
    return new Float32Array(t.dataSync() as Float32Array);
  } finally {
    t.dispose();
  }
}

/** MatrixOps on `tf.getBackend()` (call after `tf.setBackend` and `tf.ready`). */
export function tfjsOps(): MatrixOps {
  return {
    name: `tfjs-${tf.getBackend()}`,
    matmul(a, m, k, b, n) {
      return take(tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n]))));
    },
    fixed(x, rows, cols): FixedMatrix {
      const xt = tf.tensor2d(x, [rows, cols]);
      const xtT = tf.transpose(xt);
      let live = true;
      return {
        rows,
        cols,
        times: (w, k) => take(tf.tidy(() => tf.matMul(xt, tf.tensor2d(w, [cols, k])))),
        transposeTimes: (r, k) => take(tf.tidy(() => tf.matMul(xtT, tf.tensor2d(r, [rows, k])))),
        dispose: () => {
          if (!live) return;
          live = false;
          xt.dispose();
          xtT.dispose();
        },
      };
    },
  };
}
