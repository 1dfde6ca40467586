/**
 * External clustering metrics against gold labels, with scikit-learn's definitions and edge cases:
 * normalized mutual information (arithmetic-mean normalisation, sklearn's default), adjusted Rand
 * index (Hubert and Arabie 1985, via pair counts), and homogeneity / completeness / V-measure
 * (Rosenberg and Hirschberg 2007). Labels are any strings or integers; natural logarithms.
 */

/** A labelling: one label per row. */
export type Labels = ArrayLike<string | number>;

/** The contingency table of two labellings. */
interface Contingency {
  n: number;
  /** Sizes of the gold classes and of the predicted clusters. */
  a: number[];
  b: number[];
  /** Non-zero cells n_ij. */
  cells: number[];
  cellA: number[];
  cellB: number[];
}

function contingency(gold: Labels, pred: Labels): Contingency {
  if (gold.length !== pred.length) throw new RangeError(`metrics: ${gold.length} gold labels but ${pred.length} predicted`);
  const ga = new Map<string | number, number>();
  const pb = new Map<string | number, number>();
  const cellIndex = new Map<string, number>();
  const a: number[] = [];
  const b: number[] = [];
  const cells: number[] = [];
  const cellA: number[] = [];
  const cellB: number[] = [];
  for (let i = 0; i < gold.length; i++) {
    let x = ga.get(gold[i]!);
    if (x === undefined) ga.set(gold[i]!, (x = a.push(0) - 1));
    let y = pb.get(pred[i]!);
    if (y === undefined) pb.set(pred[i]!, (y = b.push(0) - 1));
    a[x] = a[x]! + 1;
    b[y] = b[y]! + 1;
    const key = `${x},${y}`;
    let c = cellIndex.get(key);
    if (c === undefined) {
      cellIndex.set(key, (c = cells.push(0) - 1));
      cellA.push(x);
      cellB.push(y);
    }
    cells[c] = cells[c]! + 1;
  }
  return { n: gold.length, a, b, cells, cellA, cellB };
}

function entropy(sizes: number[], n: number): number {
  let h = 0;
  for (const s of sizes) if (s > 0) h -= (s / n) * Math.log(s / n);
  return h;
}

function mutualInfo(t: Contingency): number {
  let mi = 0;
  for (let c = 0; c < t.cells.length; c++) {
    const nij = t.cells[c]!;
    mi += (nij / t.n) * Math.log((t.n * nij) / (t.a[t.cellA[c]!]! * t.b[t.cellB[c]!]!));
  }
  return Math.max(0, mi);
}

/** NMI with arithmetic normalisation: MI / mean(H(gold), H(pred)); 1 when both have a single label. */
export function normalizedMutualInfo(gold: Labels, pred: Labels): number {
  const t = contingency(gold, pred);
  if (t.a.length === t.b.length && t.a.length <= 1) return 1;
  const mi = mutualInfo(t);
  if (mi === 0) return 0;
  const norm = Math.max((entropy(t.a, t.n) + entropy(t.b, t.n)) / 2, Number.EPSILON);
  return mi / norm;
}

/** Adjusted Rand index from the pair confusion matrix; 1 when the labellings agree on every pair. */
export function adjustedRandIndex(gold: Labels, pred: Labels): number {
  const t = contingency(gold, pred);
  const n = t.n;
  let sumCells = 0;
  for (const c of t.cells) sumCells += c * c;
  let sumA = 0;
  for (const s of t.a) sumA += s * s;
  let sumB = 0;
  for (const s of t.b) sumB += s * s;
  const tp = sumCells - n;
  const fp = sumB - sumCells;
  const fn = sumA - sumCells;
  const tn = n * n - fp - fn - sumCells;
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

/** Homogeneity, completeness and V-measure (beta = 1). */
export interface HomogeneityCompleteness {
  homogeneity: number;
  completeness: number;
  vMeasure: number;
}

/** Homogeneity = MI / H(gold), completeness = MI / H(pred) (1 when that entropy is 0), V = their harmonic mean. */
export function homogeneityCompletenessVMeasure(gold: Labels, pred: Labels): HomogeneityCompleteness {
  const t = contingency(gold, pred);
  if (t.n === 0) return { homogeneity: 1, completeness: 1, vMeasure: 1 };
  const hGold = entropy(t.a, t.n);
  const hPred = entropy(t.b, t.n);
  const mi = mutualInfo(t);
  const homogeneity = hGold ? mi / hGold : 1;
  const completeness = hPred ? mi / hPred : 1;
  const vMeasure = homogeneity + completeness === 0 ? 0 : (2 * homogeneity * completeness) / (homogeneity + completeness);
  return { homogeneity, completeness, vMeasure };
}

/** All external metrics of a clustering against gold labels. */
export interface ClusterMetrics extends HomogeneityCompleteness {
  nmi: number;
  ari: number;
}

/** NMI, ARI, homogeneity, completeness and V-measure in one call. */
export function clusterMetrics(gold: Labels, pred: Labels): ClusterMetrics {
  return { nmi: normalizedMutualInfo(gold, pred), ari: adjustedRandIndex(gold, pred), ...homogeneityCompletenessVMeasure(gold, pred) };
}
