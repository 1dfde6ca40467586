/**
 * Class weights for imbalanced labels, scikit-learn's `class_weight="balanced"`:
 * weight(c) = n / (classes_present × count(c)), so every class contributes the same total weight
 * and the weights sum to n over the rows. Classes without rows get weight 0.
 */

/** Per-class weights of labels `y` (0..classes-1); all 1 when `balanced` is false. */
export function classWeights(y: Int32Array, classes: number, balanced: boolean): Float64Array {
  const weights = new Float64Array(classes).fill(1);
  if (!balanced) return weights;
  const counts = new Float64Array(classes);
  for (let i = 0; i < y.length; i++) counts[y[i]!]!++;
  const present = counts.filter((c) => c > 0).length;
  for (let c = 0; c < classes; c++) weights[c] = counts[c]! > 0 ? y.length / (present * counts[c]!) : 0;
  return weights;
}

/** The weight of each row: its class's weight. */
export function rowWeights(y: Int32Array, weights: Float64Array): Float64Array {
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = weights[y[i]!]!;
  return out;
}
