/**
 * Adam (Kingma & Ba, 2015) over one flat parameter array, with the defaults of tf.keras:
 * learning rate 0.001, β₁ 0.9, β₂ 0.999, ε 1e-7.
 */
export interface Adam {
  /** Applies one step with gradient `grad` to `params` in place. */
  step(params: Float32Array, grad: Float32Array): void;
}

export function adam(size: number, learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7): Adam {
  const m = new Float32Array(size);
  const v = new Float32Array(size);
  let t = 0;
  return {
    step(params, grad) {
      t++;
      const lr = (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      for (let i = 0; i < size; i++) {
        const g = grad[i]!;
        const mi = (m[i] = beta1 * m[i]! + (1 - beta1) * g);
        const vi = (v[i] = beta2 * v[i]! + (1 - beta2) * g * g);
        params[i]! -= (lr * mi) / (Math.sqrt(vi) + epsilon);
      }
    },
  };
}
