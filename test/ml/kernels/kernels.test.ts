import { describe, expect, it } from 'vitest';
import { buildKernelModule, createKernels, type Kernels } from '../../../src/ml/kernels/kernels.js';
import { allocateMemory, loadRows, planLayout, Workspace } from '../../../src/ml/kmeans/workspace.js';
import { uniformRows } from '../support.js';

/** A workspace with random rows and centres, and both kernel sets over its memory. */
function fixture() {
  const layout = planLayout(9, 12, 5, 1);
  const ws = new Workspace(allocateMemory(layout), layout, 0);
  loadRows(ws, uniformRows(9, 12, 1));
  ws.centres.set(uniformRows(layout.kPad, layout.dp, 2));
  const simd = createKernels(ws.memory);
  const reference = createKernels(ws.memory, true);
  return { layout, ws, simd, reference };
}

describe('SIMD kernels', () => {
  it('are WebAssembly SIMD, emitted at load time', () => {
    const { simd, reference } = fixture();
    expect(simd.simd).toBe(true);
    expect(reference.simd).toBe(false);
    expect(buildKernelModule().slice(0, 4)).toEqual(Uint8Array.from([0x00, 0x61, 0x73, 0x6d]));
  });

  it('compute block and pair dot products bit for bit like the JS definition', () => {
    const { layout, ws, simd, reference } = fixture();
    const rowBytes = layout.dp * 4;
    ws.full.set([3, 0, 8, 8, 5, 1]);
    ws.tRows.set([3, 0, 8, 5, 1]);
    ws.tCentres.set([4, 0, 1, 2, 3]);
    const run = (k: Kernels): number[] => {
      ws.out.fill(0);
      ws.tOut.fill(0);
      k.dots(ws.ptr.full, 6, layout.off.x, rowBytes, layout.off.centres, layout.kPad, rowBytes, ws.ptr.out);
      k.dotPairs(ws.ptr.tRows, ws.ptr.tCentres, 5, layout.off.x, rowBytes, layout.off.centres, rowBytes, ws.ptr.tOut);
      return [...ws.out.slice(0, 6 * layout.kPad), ...ws.tOut.slice(0, 5)];
    };
    const expected = run(reference);
    expect(run(simd)).toEqual(expected);
    // and they are dot products
    const direct = (row: number, c: number): number => {
      let s = 0;
      for (let t = 0; t < 12; t++) s += ws.x[row * layout.dp + t]! * ws.centres[c * layout.dp + t]!;
      return s;
    };
    expect(expected[0]).toBeCloseTo(direct(3, 0), 5);
    expect(expected[6 * layout.kPad]).toBeCloseTo(direct(3, 4), 5);
  });

  it('add, move and square rows in float64 like the JS definition', () => {
    const { layout, ws, simd, reference } = fixture();
    const rowBytes = layout.dp * 4;
    const sums = layout.off.chunkSums;
    const run = (k: Kernels): number[] => {
      ws.chunkSums.fill(0);
      k.addRow(layout.off.x + 2 * rowBytes, rowBytes, sums);
      k.addRow(layout.off.x + 3 * rowBytes, rowBytes, sums);
      k.moveRow(layout.off.x + 3 * rowBytes, rowBytes, sums, sums + 2 * rowBytes);
      return [...ws.chunkSums.slice(0, 2 * layout.dp), k.sqNorm(layout.off.x + 4 * rowBytes, rowBytes)];
    };
    const expected = run(reference);
    expect(run(simd)).toEqual(expected);
    expect(expected[0]).toBe(ws.x[2 * layout.dp]);
    expect(expected[layout.dp]).toBe(ws.x[3 * layout.dp]);
  });
});
