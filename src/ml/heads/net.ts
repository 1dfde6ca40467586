/**
 * A dense network as the heads store and serve it: `layers` = [inputs, hidden..., classes], one
 * Float32Array of parameters laid out layer by layer as W (inputs × outputs, row-major) then b
 * (outputs). ReLU between layers, softmax at the end. The logistic head is the network without
 * hidden layers ([dims, classes]); the DNN head has hidden ones.
 */
import type { MatrixOps } from './ops.js';

export interface DenseNet {
  layers: number[];
  params: Float32Array;
}

/** Where each layer's W and b start in `params`. */
export interface LayerView {
  inputs: number;
  outputs: number;
  w: number;
  b: number;
}

/** Parameter count of a network with these layer sizes. */
export function paramCount(layers: number[]): number {
  let n = 0;
  for (let l = 1; l < layers.length; l++) n += layers[l - 1]! * layers[l]! + layers[l]!;
  return n;
}

/** The offsets of each layer's weights and biases. */
export function layerViews(layers: number[]): LayerView[] {
  const out: LayerView[] = [];
  let at = 0;
  for (let l = 1; l < layers.length; l++) {
    const inputs = layers[l - 1]!;
    const outputs = layers[l]!;
    out.push({ inputs, outputs, w: at, b: at + inputs * outputs });
    at += inputs * outputs + outputs;
  }
  return out;
}

/** Adds `bias` to every row of an m × n matrix in place. */
export function addBias(z: Float32Array, m: number, n: number, bias: Float32Array): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) z[i * n + j]! += bias[j]!;
}

/** Softmax of every row of an m × n matrix in place (max-shifted, so large logits do not overflow). */
export function softmaxRows(z: Float32Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const o = i * n;
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, z[o + j]!);
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(z[o + j]! - max);
      z[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < n; j++) z[o + j]! /= sum;
  }
}

/** Rows per forward chunk: bounds the activations held at once. */
const CHUNK = 1024;

/** Class probabilities (n × classes) of the n rows of `x` (n × layers[0]). */
export function predictProbabilities(net: DenseNet, x: Float32Array, n: number, ops: MatrixOps): Float32Array {
  const views = layerViews(net.layers);
  const classes = net.layers.at(-1)!;
  const dims = net.layers[0]!;
  const out = new Float32Array(n * classes);
  for (let start = 0; start < n; start += CHUNK) {
    const m = Math.min(CHUNK, n - start);
    let a = x.subarray(start * dims, (start + m) * dims);
    views.forEach((v, l) => {
      const z = ops.matmul(a, m, v.inputs, net.params.subarray(v.w, v.w + v.inputs * v.outputs), v.outputs);
      addBias(z, m, v.outputs, net.params.subarray(v.b, v.b + v.outputs));
      if (l < views.length - 1) for (let i = 0; i < z.length; i++) z[i] = Math.max(0, z[i]!);
      a = z;
    });
    softmaxRows(a, m, classes);
    out.set(a, start * classes);
  }
  return out;
}

/** The most probable class of each row (lowest index on ties). */
export function argmaxRows(p: Float32Array, n: number, classes: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (p[i * classes + j]! > p[i * classes + best]!) best = j;
    out[i] = best;
  }
  return out;
}
