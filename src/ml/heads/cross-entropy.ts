/**
 * The (weighted, mean) cross-entropy of the logistic head and its derivative per logit, by blocks
 * of rows so a fused pass can score each block while it is in cache. Numerically stable: softmax
 * shifted by the row maximum, the binomial loss as max(z, 0) − t·z + log1p(e^−|z|).
 */

/**
 * Weighted cross-entropy of the block of rows start..start+m-1, whose logits (bias not yet added)
 * are `z` (m × outputs), each row weighted by w[i]·scale; writes dLoss/dz into `r` (same shape)
 * when given. outputs = 1 is the binomial model (logit of class 1).
 */
export function blockCrossEntropy(z: Float32Array, start: number, m: number, outputs: number, bias: Float64Array, y: Int32Array, w: Float64Array | null, scale: number, r: Float32Array | null): number {
  let total = 0;
  for (let b = 0; b < m; b++) {
    const i = start + b;
    const wi = (w ? w[i]! : 1) * scale;
    const yi = y[i]!;
    if (outputs === 1) {
      const zi = z[b]! + bias[0]!;
      const t = yi === 1 ? 1 : 0;
      total += wi * (Math.max(zi, 0) - t * zi + Math.log1p(Math.exp(-Math.abs(zi))));
      if (r) r[b] = wi * (1 / (1 + Math.exp(-zi)) - t);
      continue;
    }
    const o = b * outputs;
    let max = -Infinity;
    for (let k = 0; k < outputs; k++) max = Math.max(max, z[o + k]! + bias[k]!);
    let sum = 0;
    if (!r) {
      for (let k = 0; k < outputs; k++) sum += Math.exp(z[o + k]! + bias[k]! - max);
      total += wi * (max + Math.log(sum) - (z[o + yi]! + bias[yi]!));
      continue;
    }
    // one exp per logit: r holds exp(z - max) until it is normalised into the residual
    for (let k = 0; k < outputs; k++) sum += r[o + k] = Math.exp(z[o + k]! + bias[k]! - max);
    total += wi * (max + Math.log(sum) - (z[o + yi]! + bias[yi]!));
    const scaleRow = wi / sum;
    for (let k = 0; k < outputs; k++) r[o + k]! *= scaleRow;
    r[o + yi]! -= wi;
  }
  return total;
}

/** 1 / Σ wᵢ over the n rows (1/n for unit weights). */
export function inverseWeightSum(n: number, w: Float64Array | null): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += w ? w[i]! : 1;
  return 1 / s;
}

/** Weighted mean cross-entropy of all n rows with logits `z` (n × outputs); residuals into `r` when given. */
export function crossEntropy(z: Float32Array, n: number, outputs: number, bias: Float64Array, y: Int32Array, w: Float64Array | null, r: Float32Array | null): number {
  return blockCrossEntropy(z, 0, n, outputs, bias, y, w, inverseWeightSum(n, w), r);
}
